"""Front ends (console, Telegram, WeChat) and the renderers that turn issues into messages."""
