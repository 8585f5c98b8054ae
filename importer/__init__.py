"""importer: bring a donated, scanned encyclopedia into a Wikipedia.

Stages, each a function from one artifact in the batch folder to the next:
pages (OCR output -> pages.jsonl), articles (-> articles.jsonl), preview, upload.
"""
__version__ = "0.1.0"
