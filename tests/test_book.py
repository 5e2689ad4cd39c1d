"""python -m fastnn.book: the book's scripts run unmodified on fastnn.

The tests build a small tree laid out as the book's repository (chXX/ folders,
common/, dataset/) under tmp_path, with scripts written here that do what the
book's chapter 2 scripts do (same imports, same calls, same prints).  The
book's own common/ in that tree raises on import, so a run that prints
anything came through fastnn.  The expected text comes from
tests/reference_util.py, the book's formulas in plain numpy, never from fastnn.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import reference_util as ref

from fastnn import book

TEXT = "You say goodbye and I say hello."

HEADER = "import sys\nsys.path.append('..')\n"

SCRIPTS = {
    # ch02/count_method_small.py: counts, PPMI, SVD, three rows at 3 digits, a plot
    "count_method_small.py": HEADER + textwrap.dedent("""
        import numpy as np
        import matplotlib.pyplot as plt
        from common.util import preprocess, create_co_matrix, ppmi
        corpus, word_to_id, id_to_word = preprocess('You say goodbye and I say hello.')
        C = create_co_matrix(corpus, len(id_to_word), window_size=1)
        W = ppmi(C)
        U, S, V = np.linalg.svd(W)
        np.set_printoptions(precision=3)
        print(C[0])
        print(W[0])
        print(U[0])
        for word, word_id in word_to_id.items():
            plt.annotate(word, (U[word_id, 0], U[word_id, 1]))
        plt.scatter(U[:, 0], U[:, 1], alpha=0.5)
        plt.show()
    """),
    # ch02/similarity.py: the cosine similarity of 'you' and 'i'
    "similarity.py": HEADER + textwrap.dedent("""
        from common.util import preprocess, create_co_matrix, cos_similarity
        corpus, word_to_id, id_to_word = preprocess('You say goodbye and I say hello.')
        C = create_co_matrix(corpus, len(word_to_id))
        print(cos_similarity(C[word_to_id['you']], C[word_to_id['i']]))
    """),
    # ch02/most_similar.py
    "most_similar.py": HEADER + textwrap.dedent("""
        from common.util import preprocess, create_co_matrix, most_similar
        corpus, word_to_id, id_to_word = preprocess('You say goodbye and I say hello.')
        C = create_co_matrix(corpus, len(word_to_id))
        most_similar('you', word_to_id, id_to_word, C, top=5)
    """),
    # ch02/ppmi.py: both matrices at 3 digits
    "ppmi.py": HEADER + textwrap.dedent("""
        import numpy as np
        from common.util import preprocess, create_co_matrix, cos_similarity, ppmi
        corpus, word_to_id, id_to_word = preprocess('You say goodbye and I say hello.')
        C = create_co_matrix(corpus, len(word_to_id))
        W = ppmi(C)
        np.set_printoptions(precision=3)
        print('co-occurrence matrix')
        print(C)
        print('-' * 50)
        print('PPMI')
        print(W)
    """),
}


def expected_output(name):
    """What the book's run of the script prints, from the plain-numpy oracle."""
    corpus, word_to_id, id_to_word = ref.preprocess(TEXT)
    C = ref.create_co_matrix(corpus, len(word_to_id))
    W, _ = ref.ppmi(C)
    if name == "similarity.py":
        return f"{ref.cos_similarity(C[word_to_id['you']], C[word_to_id['i']])}\n"
    if name == "most_similar.py":
        return "\n".join(ref.most_similar_lines("you", word_to_id, id_to_word, C, top=5)) + "\n"
    with np.printoptions(precision=3):
        if name == "count_method_small.py":
            return f"{C[0]}\n{W[0]}\n{np.linalg.svd(W)[0][0]}\n"
        return f"co-occurrence matrix\n{C}\n{'-' * 50}\nPPMI\n{W}\n"


PTB_TRAIN = " the cat sat \n a dog sat \n"


@pytest.fixture
def book_tree(tmp_path):
    """A folder laid out as the book's repository; its common/ must never be imported."""
    root = tmp_path / "book"
    (root / "ch02").mkdir(parents=True)
    for name, text in SCRIPTS.items():
        (root / "ch02" / name).write_text(text)
    (root / "common").mkdir()
    for module in ("__init__", "util", "config", "np", "layers"):
        (root / "common" / f"{module}.py").write_text("raise RuntimeError('the book\\'s common/ was imported')\n")
    (root / "dataset").mkdir()
    (root / "dataset" / "__init__.py").write_text("")
    (root / "dataset" / "extra_data.py").write_text("WHO = 'the book\\'s dataset.extra_data'\n")
    (root / "dataset" / "ptb.py").write_text("raise RuntimeError('the book\\'s ptb.py was imported')\n")
    (root / "dataset" / "ptb.train.txt").write_text(PTB_TRAIN)
    return root


def run_book(script, *args, cwd, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg", XDG_CACHE_HOME=str(tmp_path / "xdg"))
    env.pop("DISPLAY", None)
    env.pop("FASTNN_PTB_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "fastnn.book", str(script), *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )


def write_script(root, chapter, name, body):
    folder = root / chapter
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(HEADER + textwrap.dedent(body))
    return folder / name


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_chapter2_scripts_print_the_books_output(book_tree, tmp_path, name):
    proc = run_book(book_tree / "ch02" / name, cwd=tmp_path, tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == expected_output(name)


def test_script_runs_from_its_own_folder(book_tree, tmp_path):
    script = write_script(book_tree, "ch09", "probe.py", """
        import os
        import common
        import common.util
        from common import config
        import fastnn.util
        print(os.getcwd())
        print(sys.argv)
        print(sys.path[0])
        print(common.util is fastnn.util, common.util.__spec__.name, config.GPU)
        open('written.txt', 'w').write('next to the script')
    """)
    proc = run_book(script, "--flag", "x", cwd=tmp_path, tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    folder = str(book_tree / "ch09")
    assert proc.stdout.splitlines() == [folder, str([str(script), "--flag", "x"]), folder, "True fastnn.util False"]
    assert (book_tree / "ch09" / "written.txt").read_text() == "next to the script"


@pytest.mark.parametrize("body, message", [
    ("from common.util import no_such_helper\n",
     "fastnn.book: probe.py:3: the script uses common.util.no_such_helper, which fastnn does not have yet"),
    ("import common.util\ncommon.util.no_such_helper()\n",
     "fastnn.book: probe.py:4: the script uses common.util.no_such_helper, which fastnn does not have yet"),
    ("from common.no_such_module import X\n",
     "fastnn.book: probe.py:3: fastnn has no twin of the book's common.no_such_module yet"),
    ("from common import config\nconfig.GPU = True\n",
     "fastnn.book: probe.py:4: fastnn runs on the CPU"),
])
def test_what_fastnn_lacks_is_one_line(book_tree, tmp_path, body, message):
    script = write_script(book_tree, "ch09", "probe.py", body)
    proc = run_book(script, cwd=tmp_path, tmp_path=tmp_path)
    assert proc.returncode == 1 and proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith(message), proc.stderr


def test_other_errors_keep_their_traceback(book_tree, tmp_path):
    script = write_script(book_tree, "ch09", "probe.py", "raise KeyError('mine')\n")
    proc = run_book(script, cwd=tmp_path, tmp_path=tmp_path)
    assert proc.returncode == 1 and "Traceback" in proc.stderr and "KeyError: 'mine'" in proc.stderr


def test_ptb_comes_from_fastnn_and_the_books_dataset_folder(book_tree, tmp_path):
    script = write_script(book_tree, "ch02", "probe.py", """
        from dataset import ptb, extra_data
        corpus, word_to_id, id_to_word = ptb.load_data('train')
        print(corpus.tolist(), id_to_word[3], extra_data.WHO)
    """)
    proc = run_book(script, cwd=tmp_path, tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    words = PTB_TRAIN.replace("\n", "<eos>").split()
    ids = {w: i for i, w in enumerate(dict.fromkeys(words))}
    assert proc.stdout == f"{[ids[w] for w in words]} <eos> the book's dataset.extra_data\n"


def test_ptb_missing_is_one_line(book_tree, tmp_path):
    (book_tree / "dataset" / "ptb.train.txt").unlink()
    script = write_script(book_tree, "ch02", "probe.py", """
        import fastnn.dataset.ptb
        fastnn.dataset.ptb.URL_BASE = 'http://127.0.0.1:9/'  # never the network in a test
        from dataset import ptb
        ptb.load_data('test')
    """)
    proc = run_book(script, cwd=tmp_path, tmp_path=tmp_path)
    assert proc.returncode == 1
    (line,) = proc.stderr.splitlines()
    assert line.startswith("fastnn.book: probe.py:7: PTB data: ptb.train.txt, ptb.test.txt not found in ")
    assert str(book_tree / "dataset") in line and str(tmp_path / "xdg" / "fastnn" / "ptb") in line


def test_a_script_outside_the_books_tree_gets_fastnns_dataset(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "ptb.train.txt").write_text(PTB_TRAIN)
    script = tmp_path / "alone" / "probe.py"
    script.parent.mkdir()
    script.write_text("from dataset import ptb, spiral\nprint(len(ptb.load_data()[0]), spiral.load_data()[0].shape)\n")
    env_dir = dict(os.environ, FASTNN_PTB_DIR=str(data))
    proc = subprocess.run([sys.executable, "-m", "fastnn.book", str(script)], cwd=tmp_path, env=env_dir,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "8 (300, 2)\n"


def test_usage(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "fastnn.book"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout.startswith("usage: python -m fastnn.book")
    proc = subprocess.run([sys.executable, "-m", "fastnn.book", str(tmp_path / "nope.py")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr == f"fastnn.book: {tmp_path / 'nope.py'}: no such script file " \
        f"({book.USAGE})\n"


def test_chapter_local_files_map_to_fastnn_and_run_restores_state(book_tree, tmp_path, monkeypatch, capsys):
    """In-process: the chapter-file table extended with two names (one fastnn has, one it
    lacks); both import forms resolve; run() leaves sys as it found it."""
    monkeypatch.setitem(book.CHAPTER_FILES, "some_layer", "fastnn.words.corpus")
    monkeypatch.setitem(book.CHAPTER_FILES, "later_layer", "fastnn.not_written_yet")
    (book_tree / "ch09").mkdir()
    (book_tree / "ch09" / "helper.py").write_text("from ch09.some_layer import preprocess\n")
    script = write_script(book_tree, "ch09", "probe.py", """
        import helper, some_layer, fastnn.words.corpus
        from ch09 import some_layer as again
        corpus = fastnn.words.corpus
        print(some_layer is corpus, again is corpus, helper.preprocess is corpus.preprocess)
        print(some_layer.__spec__.name)
        import later_layer
    """)
    before = (list(sys.meta_path), list(sys.path), list(sys.argv), os.getcwd())
    with pytest.raises(book.MissingTwinError, match=r"no twin of the book's later_layer yet \(it would be "
                                                    r"fastnn.not_written_yet\)"):
        book.run(str(script))
    assert capsys.readouterr().out == "True True True\nfastnn.words.corpus\n"
    assert (list(sys.meta_path), list(sys.path), list(sys.argv), os.getcwd()) == before
    assert not {"common", "some_layer", "ch09", "ch09.some_layer", "helper", "later_layer"} & set(sys.modules)
    assert "fastnn.words.corpus" in sys.modules and sys.modules["fastnn.words.corpus"].__spec__.name == "fastnn.words.corpus"


def test_run_in_process_uses_the_books_ptb_folder_and_then_forgets_it(book_tree, tmp_path, monkeypatch, capsys):
    from fastnn.dataset import ptb

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(ptb.ENV_DIR, raising=False)
    monkeypatch.setattr(ptb, "URL_BASE", "http://127.0.0.1:9/")
    # this checkout's own dataset/ folder is on pytest's sys.path; a reader's is not
    monkeypatch.setattr(sys, "path", [p for p in sys.path if not os.path.isdir(os.path.join(p or ".", "dataset"))])
    script = write_script(book_tree, "ch02", "probe.py", """
        from dataset import ptb
        print(len(ptb.load_data("train")[0]), ptb.SEARCH_DIRS)
    """)
    book.run(str(script))
    assert capsys.readouterr().out == f"8 {[str(book_tree / 'dataset')]}\n"
    assert ptb.SEARCH_DIRS == []


def test_the_tables_name_real_module_names():
    assert book.fastnn_name("common.util") == "fastnn.util"
    assert book.fastnn_name("ch04.negative_sampling_layer") == book.fastnn_name("negative_sampling_layer")
    assert book.fastnn_name("x.negative_sampling_layer") is None and book.fastnn_name("cbow") is None
    for ours in [*book.MODULES.values(), *book.CHAPTER_FILES.values()]:
        assert ours.startswith("fastnn.") and book.twin_of(ours) is not None
