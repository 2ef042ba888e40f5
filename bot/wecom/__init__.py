"""WeCom (企业微信) group robots: issues pushed to groups through their webhook URLs.

Here: who gets an issue (`targets.py`: the configured robots, `robot_id`), sending and WeCom's
errors (`sender.py`), pacing (`pacing.py`). Kept elsewhere, on purpose:

- The WeCom markdown format (`bot/render/templates/wecom.j2`, its escaping filters in
  `bot/render/wecom.py`, byte counting in `bot/render/split.py`) lives with every other format
  in `bot/render`: platform folders use the renderer and the renderer imports no platform, so
  `render_issue(issue, "wecom")` works alone and `bot/render` and `bot/wecom` never import each
  other (moving the filters here would tie them both ways).
- Checking `WECOM_WEBHOOK_URLS` is `core.config_rules.wecom_url`: settings are validated before
  anything starts. Secrets in logs are `core.redact`'s, for every secret alike (a robot's `key=`
  too); `sender.py` also redacts httpx's own request log.
- Which platforms are configured and building the senders is the composition root's (`cli/`).
"""

from bot.wecom.sender import WeComSender

__all__ = ["WeComSender"]
