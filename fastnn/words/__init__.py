"""The book's word tools (common/util.py, chapters 2-4), by topic; import them from fastnn.util.

corpus: text to ids, contexts and targets; counts: co-occurrence and PPMI;
vectors: similarity, nearest words and analogies.
"""
