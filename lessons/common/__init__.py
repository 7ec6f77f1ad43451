"""What the lessons share; never imports a lesson or the page (docs/ARCHITECTURE.md, section 1)."""
