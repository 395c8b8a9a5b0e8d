"""viz.pytorch_graph / viz.pytorch_stepper: PyTorch's backward beside the engine's, on the same
example, to 1e-12, and the page that says so (driven in Chromium)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import viz
from tests.support import launch_chromium, require_torch


@pytest.fixture
def torch():
    require_torch()
    import torch
    return torch


def torch_model(torch, sizes, activations, seed):
    torch.manual_seed(seed)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append(torch.nn.Linear(n_in, n_out, bias=i % 2 == 0))
        if i < len(sizes) - 2:
            layers.append(getattr(torch.nn, activations[i])())
    return torch.nn.Sequential(*layers)


LOSSES = ["MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "CrossEntropyLoss", "BCEWithLogitsLoss"]


def example(torch, loss, nout, batch, rng):
    """A target for `loss` on `batch` examples (None: one example), as PyTorch takes it."""
    shape = (nout,) if batch is None else (batch, nout)
    if loss == "CrossEntropyLoss":
        return torch.tensor(rng.integers(0, nout) if batch is None else rng.integers(0, nout, size=batch))
    if loss == "BCEWithLogitsLoss":
        return torch.from_numpy(rng.uniform(size=shape))
    return torch.from_numpy(rng.normal(size=shape))


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4), loss=st.sampled_from(LOSSES),
       reduction=st.sampled_from(["mean", "sum"]), batch=st.sampled_from([None, 1, 3]),
       activations=st.lists(st.sampled_from(["ReLU", "Tanh", "Sigmoid", "Identity"]), min_size=3, max_size=3),
       seed=st.integers(0, 1000))
def test_every_parameter_gradient_agrees_with_pytorchs_to_1e_12(sizes, loss, reduction, batch, activations, seed):
    require_torch()
    import torch
    if loss == "CrossEntropyLoss" and sizes[-1] == 1:
        sizes = sizes[:-1] + [2]
    rng = np.random.default_rng(seed)
    model = torch_model(torch, sizes, activations, seed)
    x = rng.normal(size=sizes[0] if batch is None else (batch, sizes[0]))
    root, parameters, reference = viz.pytorch_graph(model, x, example(torch, loss, sizes[-1], batch, rng),
                                                    getattr(torch.nn, loss)(reduction=reduction))
    assert set(reference) == set(parameters) and len(parameters) == sum(p.numel() for p in model.parameters())
    root.backward()
    gaps = [abs(p.grad - reference[p]) for p in parameters]
    assert max(gaps) <= 1e-12
    assert any(reference[p] != 0.0 for p in parameters) or all(p.grad == 0.0 for p in parameters)


@pytest.mark.parametrize("loss", ["HuberLoss(delta=0.3)", "HuberLoss('sum', 2.5)", "SmoothL1Loss(beta=0.4)",
                                  "SmoothL1Loss(beta=0.0, reduction='sum')", "L1Loss(reduction='sum')"])
def test_huber_and_smooth_l1_keep_their_delta_and_beta_and_agree_with_pytorch(torch, loss):
    # The stepper builds nn's loss of the same name: delta and beta must come across, else
    # HuberLoss(delta=0.3) would be stepped with delta 1 and disagree with PyTorch's gradients.
    torch_loss = eval(f"torch.nn.{loss}")
    model = torch_model(torch, [2, 3, 2], ["Tanh"], seed=4)
    x, target = [[0.5, -1.0], [2.0, 1.5], [0.1, 0.2]], torch.tensor([[3.0, -0.2], [0.1, 0.05], [-2.0, 1.0]])
    root, parameters, reference = viz.pytorch_graph(model, x, target, torch_loss)
    root.backward()
    assert max(abs(p.grad - reference[p]) for p in parameters) <= 1e-12
    assert sum(abs(g) for g in reference.values()) > 0


def test_the_reference_is_pytorchs_and_not_the_engines(torch):
    """The reference comes from torch: a torch model whose forward differs gives other numbers."""
    model = torch_model(torch, [3, 4, 2], ["Tanh"], seed=0)
    x, y = [0.5, -1.0, 2.0], torch.tensor(1)
    root, parameters, reference = viz.pytorch_graph(model, x, y, torch.nn.CrossEntropyLoss())
    root.backward()
    twin = model.double()
    twin.zero_grad()
    torch.nn.CrossEntropyLoss()(twin(torch.tensor(x, dtype=torch.float64)), y).backward()
    assert [reference[p] for p in parameters[:12]] == twin[0].weight.grad.reshape(-1).tolist()


@pytest.mark.parametrize("loss, error, message", [
    ("NLLLoss", TypeError, "expected one of torch.nn.MSELoss"),
    ("weighted", ValueError, "CrossEntropyLoss with weight has no counterpart"),
    ("none", ValueError, "reduction='none'"),
])
def test_a_loss_nn_cannot_mirror_is_refused_by_name(torch, loss, error, message):
    chosen = {"NLLLoss": torch.nn.NLLLoss(), "weighted": torch.nn.CrossEntropyLoss(weight=torch.ones(2)),
              "none": torch.nn.MSELoss(reduction="none")}[loss]
    with pytest.raises(error, match=message):
        viz.pytorch_graph(torch_model(torch, [2, 2], [], 0), [0.1, 0.2], torch.tensor(1), chosen)


def test_the_page_shows_pytorchs_gradients_and_says_they_agree(torch, tmp_path):
    from playwright.sync_api import sync_playwright

    model = torch_model(torch, [4, 2, 3, 1], ["Sigmoid", "Sigmoid"], seed=5)  # note 000's Figure 5 shape
    x, y, loss = [0.1, 0.2, 0.3, 0.4], torch.tensor([0.5], dtype=torch.float64), torch.nn.MSELoss()
    path = viz.pytorch_stepper(model, x, y, loss, tmp_path / "pytorch.html")
    _, parameters, reference = viz.pytorch_graph(model, x, y, loss)
    inline = viz.pytorch_stepper(model, x, y, loss)  # no path: the page object, shown inline in Jupyter
    assert inline.agreement and inline.agreement.compared == len(parameters) == 20  # layer 2 has no bias
    assert f"all {len(parameters)} gradients agree with PyTorch to within 1e-12" in inline._repr_html_()
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        errors = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(path.resolve().as_uri())
        assert f"all {len(parameters)} gradients agree with PyTorch to within 1e-12" in page.inner_text("body")
        beside = []
        page.keyboard.press("End")
        last = int(page.get_attribute(".tg-stepper", "data-step"))
        page.keyboard.press("Home")
        for _ in range(last):
            page.click(".tg-next")
            text = page.text_content(".tg-reference")
            if "PyTorch:" in text:
                assert "agrees to within 1e-12" in text, text
                beside.append(text)
        assert len(beside) == len(parameters)  # at every parameter's step, and only there
        assert all(f"({reference[p]!r})" in "".join(beside) for p in parameters)  # PyTorch's own number
        browser.close()
    assert not errors


# --- targets and inputs given as Python or numpy numbers are taken in float64 -----------------

def _float64_reference(torch, module, x, target, loss, integer_target=False):
    """PyTorch's parameter gradients with every tensor built in float64 from the numbers given
    (a class index as a long), the reference the stepper must show."""
    twin = module.double()
    twin.zero_grad()
    dtype = torch.long if integer_target else torch.float64
    loss(twin(torch.tensor(np.asarray(x, dtype=float), dtype=torch.float64)),
         torch.tensor(np.asarray(target), dtype=dtype)).backward()
    return [g for p in twin.parameters() for g in p.grad.reshape(-1).tolist()]


@pytest.mark.parametrize("loss_name, x, target", [
    ("MSELoss", [0.1, 0.2, 0.3], [0.3, 0.7]),                          # the reviewer's example
    ("MSELoss", np.array([[0.1, 0.2, 0.3], [0.4, -0.5, 0.6]]), np.array([[0.3, 0.7], [0.1, 0.9]])),
    ("BCEWithLogitsLoss", [0.1, 0.2, 0.3], [0.3, 0.7]),
    ("BCEWithLogitsLoss", [[0.1, 0.2, 0.3], [1.0, 2.0, 3.0]], [[0.1, 0.9], [1.0, 0.0]]),
    ("BCEWithLogitsLoss", [1, 2, 3], [1, 0]),                           # whole numbers: still float targets
    ("CrossEntropyLoss", [0.1, 0.2, 0.3], [0.3, 0.7]),                 # class probabilities
    ("CrossEntropyLoss", [[0.1, 0.2, 0.3], [0.5, 0.5, 0.5]], np.array([[0.3, 0.7], [0.9, 0.1]])),
], ids=["mse-list", "mse-numpy-batch", "bce-list", "bce-batch", "bce-whole-numbers", "ce-probabilities",
        "ce-probabilities-batch"])
def test_float_targets_given_as_numbers_are_float64_on_pytorchs_side(torch, loss_name, x, target):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2))
    loss = getattr(torch.nn, loss_name)()
    page = viz.pytorch_stepper(model, x, target, loss)
    assert page.agreement, page.agreement.text
    _, parameters, reference = viz.pytorch_graph(model, x, target, loss)
    assert [reference[p] for p in parameters] == _float64_reference(torch, model, x, target, loss)


@pytest.mark.parametrize("x, target", [
    ([0.1, 0.2, 0.3], 1), ([0.1, 0.2, 0.3], np.int64(0)),
    ([[0.1, 0.2, 0.3], [0.3, 0.2, 0.1]], [1, 0]), ([[0.1, 0.2, 0.3], [0.3, 0.2, 0.1]], np.array([0, 1])),
], ids=["int", "numpy-int", "list-of-ints", "numpy-ints"])
def test_class_index_targets_stay_integers(torch, x, target):
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh(), torch.nn.Linear(2, 2))
    loss = torch.nn.CrossEntropyLoss()
    page = viz.pytorch_stepper(model, x, target, loss)
    assert page.agreement, page.agreement.text
    _, parameters, reference = viz.pytorch_graph(model, x, target, loss)
    assert [reference[p] for p in parameters] == _float64_reference(torch, model, x, target, loss,
                                                                    integer_target=True)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_bce_loss_on_a_sigmoid_output_agrees_with_pytorch(torch, reduction):
    torch.manual_seed(2)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh(), torch.nn.Linear(2, 2), torch.nn.Sigmoid())
    x, target, loss = [[0.1, -0.2, 0.3], [1.0, 0.5, -1.5]], [[1.0, 0.0], [0.25, 1.0]], torch.nn.BCELoss(reduction=reduction)
    page = viz.pytorch_stepper(model, x, target, loss)
    assert page.agreement and page.agreement.compared == 14, page.agreement.text
    _, parameters, reference = viz.pytorch_graph(model, x, target, loss)
    assert [reference[p] for p in parameters] == _float64_reference(torch, model, x, target, loss)


def test_a_linear_placed_twice_in_the_torch_model_is_one_tied_parameter_set_and_agrees(torch):
    """torch's named_parameters() lists a shared Linear once, while state_dict() has a key per
    place: looking the places up in it raised KeyError '2.weight'."""
    torch.manual_seed(0)
    shared = torch.nn.Linear(3, 3)
    model = torch.nn.Sequential(shared, torch.nn.Tanh(), shared, torch.nn.Tanh(), torch.nn.Linear(3, 1))
    x, y = [0.5, -1.0, 2.0], torch.tensor([0.3])
    root, parameters, reference = viz.pytorch_graph(model, x, y, torch.nn.MSELoss())
    root.backward()
    assert len(parameters) == 12 + 4
    assert all(abs(p.grad - reference[p]) <= 1e-12 for p in parameters)
    twin = model.double()
    twin.zero_grad()
    torch.nn.MSELoss()(twin(torch.tensor(x, dtype=torch.float64)), y.double()).backward()
    assert [reference[p] for p in parameters[:9]] == shared.weight.grad.reshape(-1).tolist()


@pytest.mark.parametrize("options, error, message", [
    ({"rankdir": None}, TypeError, r"viz: rankdir=None: expected 'LR', 'TB', 'RL' or 'BT', got NoneType"),
    ({"collapse": 1}, TypeError, r"viz: collapse=1: expected None, 'neuron' or 'layer', got int"),
    ({"rankdir": "up"}, ValueError, r"viz: rankdir='up': expected 'LR'"),
], ids=["rankdir=None", "collapse=1", "rankdir='up'"])
def test_a_stepper_option_of_the_wrong_type_passed_through_is_a_type_error(torch, options, error, message):
    model = torch_model(torch, [2, 1], [], seed=0)
    with pytest.raises(error, match=message):
        viz.pytorch_stepper(model, [0.1, 0.2], torch.tensor([0.5]), torch.nn.MSELoss(), **options)


def test_a_frozen_layer_is_a_constant_and_not_compared_with_pytorchs_missing_gradient(torch):
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    module[0].weight.requires_grad_(False)  # torch gives it no .grad; backward here gives none either
    root, parameters, reference = viz.pytorch_graph(module, [0.5, -1.0, 2.0], 1, torch.nn.CrossEntropyLoss())
    frozen = [p for p in parameters if not p.requires_grad]
    assert len(frozen) == 12 and not set(frozen) & set(reference)
    verdict = viz.compare_gradients(root, reference, parameters=parameters)
    assert verdict.agrees and verdict.compared == 14, verdict.text
    assert "not compared" not in verdict.text
    steps = viz.backward_steps(root, parameters=parameters)
    assert not {step.node for step in steps} & set(frozen)  # no step shows a gradient it never gets


@pytest.mark.parametrize("loss", ["MSELoss", "BCEWithLogitsLoss"])
def test_a_target_torch_would_broadcast_into_another_loss_is_refused_naming_both_shapes(torch, loss):
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(3, 1))
    with pytest.raises(ValueError, match=r"pytorch_stepper target: shape \(3,\), but the model's outputs have "
                                         r"shape \(3, 1\).*shape \(3, 1\)"):
        viz.pytorch_graph(module, torch.randn(3, 3), torch.tensor([1.0, 0.0, 1.0]), getattr(torch.nn, loss)())


@pytest.mark.parametrize("loss", ["MSELoss", "BCEWithLogitsLoss", "BCELoss"])
def test_one_number_as_the_target_of_a_single_output_is_paired_with_it(torch, loss, recwarn):
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Sigmoid())
    root, parameters, reference = viz.pytorch_graph(module, [0.5, -1.0, 2.0], 1.0, getattr(torch.nn, loss)())
    assert viz.compare_gradients(root, reference, parameters=parameters).agrees
    assert not [w for w in recwarn if "target size" in str(w.message)]  # torch's broadcast warning


def test_a_target_pytorch_refuses_is_named_with_its_dtype(torch):
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(3, 2))
    with pytest.raises(RuntimeError, match=r"pytorch_stepper target: PyTorch's CrossEntropyLoss refused the target "
                                           r"tensor\(1, dtype=torch.int32\) .*torch.int32"):
        viz.pytorch_graph(module, [0.5, -1.0, 2.0], torch.tensor(1, dtype=torch.int32), torch.nn.CrossEntropyLoss())


def test_a_batch_given_as_a_list_of_tensors_is_a_batch(torch):
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    rows = [torch.randn(3), torch.randn(3)]
    root, parameters, reference = viz.pytorch_graph(module, rows, [0, 1], torch.nn.CrossEntropyLoss())
    assert viz.compare_gradients(root, reference, parameters=parameters).agrees
    stacked, _, _ = viz.pytorch_graph(module, torch.stack(rows), [0, 1], torch.nn.CrossEntropyLoss())
    assert root.data == stacked.data


def test_an_x_that_is_one_number_is_refused_naming_x(torch):
    with pytest.raises(TypeError, match=r"pytorch_stepper x: expected one example .* got Tensor tensor\(2\.\)"):
        viz.pytorch_graph(torch.nn.Linear(1, 1), torch.tensor(2.0), [1.0], torch.nn.MSELoss())


@pytest.mark.parametrize("option", ["parameters", "reference", "reference_name"])
def test_an_option_pytorch_stepper_sets_itself_is_refused_naming_it(torch, option):
    with pytest.raises(TypeError, match=f"pytorch_stepper: {option}= cannot be given"):
        viz.pytorch_stepper(torch.nn.Linear(2, 1), [1.0, 2.0], [0.5], torch.nn.MSELoss(), **{option: None})


def test_a_model_frozen_whole_is_named_as_such_not_blamed_on_the_target(torch):
    module = torch.nn.Sequential(torch.nn.Linear(3, 2))
    module.requires_grad_(False)
    with pytest.raises(RuntimeError, match="every parameter of the model is frozen"):
        viz.pytorch_graph(module, [0.5, -1.0, 2.0], 1, torch.nn.CrossEntropyLoss())
