"""The bot's commands, once, for every front end (the inner half of each command).

A command takes a `Caller` (plain ids and the chat's language) and its argument text, calls one
core service, and returns `Reply`s: Telegram-safe HTML plus abstract buttons. Telegram turns the
buttons into signed inline keyboards, the console into typed hints, WeChat into text.
"""
