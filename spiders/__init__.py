"""Spiders: one generic spider (spiders.base) driven by declarative site profiles (spiders/sites/*.yaml)."""
