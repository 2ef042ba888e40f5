"""WeChat front end: the Official Account (公众号) API client, its sender and callback server."""
