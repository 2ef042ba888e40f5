"""WeCom (企业微信) group robots: issues pushed to groups through their webhook URLs."""

from bot.wecom.sender import WeComSender

__all__ = ["WeComSender"]
