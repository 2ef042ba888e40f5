"""The console front end: the bot's chat commands typed in a terminal (no Telegram token)."""
