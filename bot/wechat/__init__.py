"""The WeChat front end: the Official Account callback server, its text commands and renderer,
the API client (access token, drafts, customer-service messages) and its sender."""
