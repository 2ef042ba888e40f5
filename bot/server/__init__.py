"""The one HTTP server of `digestbot run`: a Starlette app on uvicorn, composed from the routes
each front end contributes (Telegram's webhook, WeChat's callback) plus health and metrics."""
