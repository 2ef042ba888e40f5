"""The WeChat front end: the Official Account callback server, its text commands and renderer,
the API client (access token, drafts, customer-service messages), its sender and who it may
send to (`targets.py`: the 48-hour window)."""
