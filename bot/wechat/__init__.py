"""The WeChat Official Account front end: its callback server, text commands and renderer."""
