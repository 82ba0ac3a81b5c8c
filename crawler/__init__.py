"""The Scrapy side of govnews: settings, items, middlewares, pipelines, the CLI and the scheduler.

Importing this package does not import Scrapy; cleaning workers import crawler.workers only.
"""
