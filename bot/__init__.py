"""Front ends (Telegram, console) and the renderers that turn issues into messages and Markdown."""
