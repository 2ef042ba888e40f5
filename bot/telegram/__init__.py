"""The Telegram front end on python-telegram-bot: thin handlers over `bot.commands`."""
