"""`{% page_file "pos.js" %}`: the URL of one of the lane page's files in the running
release (store_edge/pos/static_files.py)."""

from django import template

from store_edge.pos.static_files import page_file_url

register = template.Library()


@register.simple_tag
def page_file(name: str) -> str:
    return page_file_url(name)
