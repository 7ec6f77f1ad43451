"""The page around the lessons: context, header, strings table, links, teacher mode, language, accessibility."""
