"""The words of the business: paper and issue types, the topic language, errors, arXiv ids,
user numbers and identities.

It sits at ground level and imports nothing of ours, so storage, services, jobs and every front
end can share one vocabulary without importing each other; a newcomer finds each word here once.
"""
