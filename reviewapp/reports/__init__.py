"""PDF documents of reviews (ReportLab) and printing them."""
