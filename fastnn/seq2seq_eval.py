"""The book's eval_seq2seq (common/util.py, chapter 7): score one question, optionally show it.

With verbose it prints the book's four lines: ``Q`` and the question (turned
back when the model read it reversed), ``T`` and the correct answer, the guess
after a green ☑ or a red ☒ (``O`` / ``X`` on Windows, as the book), then ``---``.
"""

import os

COLORS = {"ok": "\033[92m", "fail": "\033[91m", "close": "\033[0m"}


def _text(ids, id_to_char):
    try:
        return "".join(id_to_char[int(i)] for i in ids)
    except KeyError as error:
        raise ValueError(f"eval_seq2seq: id {error.args[0]} is not in id_to_char; expected ids of the vocabulary") from None


def eval_seq2seq(model, question, correct, id_to_char, verbose=False, is_reverse=False):
    """1 if model.generate(question, correct[0], len(correct) - 1) is correct[1:], else 0.

    question (1, Tq) and correct (1, Tc) are id arrays (one test row each, as the
    book's x_test[[i]], t_test[[i]]); correct's first id is the decoder's start mark.
    """
    correct = correct.flatten()
    if correct.size < 2:
        raise ValueError(f"eval_seq2seq: correct has {correct.size} ids; expected the start mark and the answer")
    start_id, correct = correct[0], correct[1:]
    guess = model.generate(question, start_id, len(correct))

    question = _text(question.flatten(), id_to_char)
    correct = _text(correct, id_to_char)
    guess = _text(guess, id_to_char)

    if verbose:
        if is_reverse:
            question = question[::-1]
        print("Q", question)
        print("T", correct)
        windows = os.name == "nt"
        if correct == guess:
            mark = "O" if windows else COLORS["ok"] + "☑" + COLORS["close"]
        else:
            mark = "X" if windows else COLORS["fail"] + "☒" + COLORS["close"]
        print(mark + " " + guess)
        print("---")
    return 1 if guess == correct else 0
