"""The public web archive: pages, feeds and the static site, read-only over published issues."""
