"""Readers that turn input files into plain typed data, with one-line errors naming the file."""
