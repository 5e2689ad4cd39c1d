"""The picture of the book's ch08/visualize_attention.py: where an attention model
looks in the question while it writes each character of the answer.

    from fastnn.attention_map import save_attention_maps
    paths = save_attention_maps(model, x_test, t_test, id_to_char, "out/", is_reverse=True)

One PNG per question: the question's characters across (in reading order),
the answer's characters down (without the start mark), each cell the weight
(black 0, white 1) that the decoder gave that input character when it wrote
that output character, teacher-forced with the true answer as the book's
script does.  Which test questions: the book's, ``count`` ids drawn with
np.random.seed(1984)'s randint, from a generator of their own (numpy's global
random state is left alone).  matplotlib is imported only when drawing, and
without pyplot (no GUI backend, no global state).
"""

import os

import numpy as np


def attention_weights(model, question, answer):
    """The decoder's weights (Td, Te) for one question (1, Te) and its answer (1, Td + 1),
    as the model reads them (reversed input stays reversed): runs model.forward."""
    question, answer = np.asarray(question), np.asarray(answer)
    for name, ids in (("question", question), ("answer", answer)):
        if ids.ndim != 2 or ids.shape[0] != 1:
            raise ValueError(f"attention_weights: {name} has shape {ids.shape}; expected (1, T), one question")
    if answer.shape[1] < 2:
        raise ValueError(f"attention_weights: answer has shape {answer.shape}; expected (1, T) with T >= 2")
    model.forward(question, answer)
    weights = np.array(model.decoder.attention.attention_weights)  # (Td, 1, Te)
    return weights[:, 0, :]


def draw_attention_map(weights, input_labels, output_labels, path):
    """Save weights (Td, Te) as a PNG at path: input_labels (Te) across, output_labels (Td) down."""
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim != 2 or weights.shape != (len(output_labels), len(input_labels)):
        raise ValueError(f"draw_attention_map: weights has shape {weights.shape}; expected "
                         f"({len(output_labels)}, {len(input_labels)}), (outputs, inputs) of the labels")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(max(4.0, 0.3 * weights.shape[1] + 1), max(3.0, 0.3 * weights.shape[0] + 1)))
    ax = fig.subplots()
    ax.pcolor(weights, cmap="Greys_r", vmin=0.0, vmax=1.0)
    ax.patch.set_facecolor("black")
    ax.set_xticks(np.arange(weights.shape[1]) + 0.5)
    ax.set_yticks(np.arange(weights.shape[0]) + 0.5)
    ax.invert_yaxis()
    ax.set_xticklabels(list(input_labels))
    ax.set_yticklabels(list(output_labels))
    ax.set_xlabel("question")
    ax.set_ylabel("answer")
    fig.savefig(path)
    return path


def save_attention_map(model, question, answer, id_to_char, path, is_reverse=False):
    """Draw one question's map at path; question (1, Te) as fed to the model (reversed when
    is_reverse, as ch08/train.py feeds it), answer (1, Td + 1) with its start mark."""
    weights = attention_weights(model, question, answer)
    question = np.asarray(question)[0]
    if is_reverse:  # back to reading order, the columns with it
        weights, question = weights[:, ::-1], question[::-1]
    inputs = [id_to_char[int(i)] for i in question]
    outputs = [id_to_char[int(i)] for i in np.asarray(answer)[0, 1:]]
    return draw_attention_map(weights, inputs, outputs, path)


def save_attention_maps(model, x_test, t_test, id_to_char, folder, is_reverse=True, count=5, seed=1984):
    """Maps of ``count`` test questions picked as the book's script picks them; returns the
    PNG paths (folder/attention_map_1.png, ...).  x_test as fed to the model."""
    x_test, t_test = np.asarray(x_test), np.asarray(t_test)
    if x_test.ndim != 2 or t_test.ndim != 2 or len(x_test) != len(t_test) or len(x_test) == 0:
        raise ValueError(f"save_attention_maps: x_test {x_test.shape} and t_test {t_test.shape}; "
                         "expected two (N, T) arrays of the same N >= 1")
    os.makedirs(folder, exist_ok=True)
    picks = np.random.RandomState(seed)
    paths = []
    for k in range(count):
        i = picks.randint(0, len(x_test))
        path = os.path.join(folder, f"attention_map_{k + 1}.png")
        paths.append(save_attention_map(model, x_test[[i]], t_test[[i]], id_to_char, path, is_reverse))
    return paths
