"""Reading a paper in full: arXiv's HTML rendering, else its PDF, else the abstract.

`reader.PaperReader` is the door: it returns a paper's text (cached in storage, so a re-run
downloads nothing) and keeps its key figure; `budget.paper_body` fits the text to the model's
input budget section by section.
"""
