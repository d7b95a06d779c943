"""Answer keys of lecture 04 (autoencoders): the reconstruction loss, PCA's reconstruction, and an
autoencoder with a 2-D code that beats PCA on held-out digits (judged: the check trains it)."""
import numpy as np

from ..check import measured
from ..exercises import Wrong, exercise
from ..runtime import as_numpy

# ----------------------------------------------------------------------------- the reconstruction loss


def _recon_cases():
    rng = np.random.default_rng(0)
    return [(rng.uniform(size=(4, 6)), rng.uniform(size=(4, 6))),
            (rng.uniform(size=(3, 64)), rng.uniform(size=(3, 64))),
            (rng.uniform(size=(1, 5)), rng.uniform(size=(1, 5)))]


@exercise("reconstruction loss", cases=_recon_cases, what="batches of 1 to 4 images of 5 to 64 pixels",
          mistakes={
              "you averaged over the pixels too: sum over the pixels, mean over the images (a mean over "
              "pixels shrinks the loss by D)": lambda x, x_hat: ((x - x_hat) ** 2).mean(),
              "you summed over the batch too: average over the images, so the loss does not grow with the "
              "batch size": lambda x, x_hat: ((x - x_hat) ** 2).sum(),
              "square the difference: the absolute error is the Laplace likelihood, not the Gaussian one":
                  lambda x, x_hat: np.abs(x - x_hat).sum(-1).mean(),
              "the Gaussian likelihood has no square root: the squared error, not the distance":
                  lambda x, x_hat: np.sqrt(((x - x_hat) ** 2).sum(-1)).mean(),
          })
def recon_loss(x, x_hat):
    """Oracle: with sigma^2 = 1/2, -log N(x; x_hat, sigma^2) = (x - x_hat)^2 + log(pi)/2 per pixel (scipy)."""
    from scipy import stats
    x, x_hat = np.asarray(x, float), np.asarray(x_hat, float)
    return (-stats.norm.logpdf(x, x_hat, np.sqrt(0.5)).sum(-1) - 0.5 * x.shape[-1] * np.log(np.pi)).mean()


# ----------------------------------------------------------------------------- PCA reconstruction


def _digits():
    from ..data.loaders import _digits as load  # not data.load: an answer key records no data set of the lecture
    return load(0)


def _pca_cases():
    from sklearn.decomposition import PCA
    ds = _digits()
    X_train, X_test = as_numpy(ds.x_train.double()), as_numpy(ds.x_test.double())
    out = []
    for d in (2, 5):
        pca = PCA(d, svd_solver="full").fit(X_train)
        out.append((X_test[:20], pca.mean_, pca.components_))
    rng = np.random.default_rng(1)  # a small case where every entry is visible: 3 pixels, a 1-D code
    v = rng.normal(size=(1, 3))
    out.append((rng.normal(size=(2, 3)), rng.normal(size=3), v / np.linalg.norm(v)))
    return out


@exercise("PCA reconstruction", cases=_pca_cases, what="the top 2 and 5 directions of the 8x8 digits, and a 1-D code "
          "of 3 pixels",
          mistakes={
              "centre first: subtract the mean before projecting": lambda X, mu, V: X @ V.T @ V + mu,
              "add the mean back after decoding": lambda X, mu, V: (X - mu) @ V.T @ V,
              "PCA works on centred data: subtract mu before encoding, add it back after decoding":
                  lambda X, mu, V: X @ V.T @ V,
          })
def pca_reconstruct(X, mu, V):
    """Oracle: the least-squares coordinates of x - mu in the basis V (numpy.linalg.lstsq), decoded."""
    X, mu, V = (np.asarray(a, float) for a in (X, mu, V))
    coords = np.linalg.lstsq(V.T, (X - mu).T, rcond=None)[0]
    return mu + (V.T @ coords).T


# ----------------------------------------------------------------------------- an autoencoder that beats PCA
#
# The student writes beat_pca(x_train, x_test) -> (model, ae_test_mse, pca_test_mse): an autoencoder with a
# 2-D code (model.encoder, model.decoder, model(x) = decoder(encoder(x))), trained by their own loop, its test
# MSE per pixel, and PCA's (2 components by SVD). The judge hands it the 8x8 digits (a fixed split, so the
# check takes a few seconds whatever DATASET the lecture runs), recomputes both errors itself and names
# the classic mistakes: a reported error measured on the training set, PCA without centring, a model with
# no nonlinearity (one linear map: PCA at best), a linear decoder (a flat sheet of images).

TARGET = 0.9    # the autoencoder's test MSE must be below 0.9x PCA's (10% better)


def _data():
    ds = _digits()
    return ds.x_train, ds.x_test


def _torch():
    import torch
    return torch


def _mse(model, x):
    torch = _torch()
    with torch.no_grad():
        return float(((model(x) - x) ** 2).mean())


def _pca_errors(x_train, x_test):
    """PCA's test MSE per pixel (scikit-learn, 2 components), without centring, and on the training set."""
    from sklearn.decomposition import PCA
    X_tr, X_te = as_numpy(x_train.double()), as_numpy(x_test.double())
    pca = PCA(2, svd_solver="full").fit(X_tr)
    test = float(((pca.inverse_transform(pca.transform(X_te)) - X_te) ** 2).mean())
    train = float(((pca.inverse_transform(pca.transform(X_tr)) - X_tr) ** 2).mean())
    V = np.linalg.svd(X_tr, full_matrices=False)[2][:2]   # the top directions of the raw, uncentred data
    uncentred = float(((X_te @ V.T @ V - X_te) ** 2).mean())
    return test, uncentred, train


def _affine(f, x):
    """Whether f is affine on x (f of a midpoint = the midpoint of the f's), up to float32 rounding."""
    torch = _torch()
    with torch.no_grad():
        a, b = x[: len(x) // 2], x[len(x) // 2: 2 * (len(x) // 2)]
        mid, ends = f((a + b) / 2), (f(a) + f(b)) / 2
        return float((mid - ends).abs().max()) <= 1e-4 * max(1.0, float(ends.abs().max()))


def _logit_affine(f, x):
    """Whether f is affine or a sigmoid of an affine map (a linear layer, then a sigmoid)."""
    torch = _torch()

    def logit(z):
        y = f(z).clamp(1e-6, 1 - 1e-6)
        return torch.log(y) - torch.log1p(-y)
    with torch.no_grad():
        y = f(x)
    inside = bool(((y > 0) & (y < 1)).all())
    return _affine(f, x) or (inside and _affine(logit, x))


def _close(a, b, rtol=2e-3):
    return abs(a - b) <= rtol * abs(b) + 1e-9


def judge_beat_pca(answer):
    from ..runtime import seed_everything
    torch = _torch()
    x_train, x_test = _data()
    seed_everything(0)
    got = answer(x_train, x_test)
    if not (isinstance(got, tuple) and len(got) == 3):
        raise Wrong("return three things: (model, the autoencoder's test MSE per pixel, PCA's test MSE per pixel).")
    model, ae_said, pca_said = got
    ae_said, pca_said = float(ae_said), float(pca_said)
    model = model.cpu().float().eval()
    with torch.no_grad():
        code = model.encoder(x_test)
    if code.shape != (len(x_test), 2):
        raise Wrong(f"the code must be 2-D: model.encoder maps {len(x_test)} test images to shape "
                    f"{tuple(code.shape)}, not ({len(x_test)}, 2).")
    ae_test, ae_train = _mse(model, x_test), _mse(model, x_train)
    pca_test, pca_uncentred, pca_train = _pca_errors(x_train, x_test)
    if not _close(pca_said, pca_test):
        if _close(pca_said, pca_uncentred):
            raise Wrong("your PCA forgot to centre: PCA projects x - mean onto the top directions of the centred "
                        "training data and adds the mean back (section 3); the directions of the raw data start "
                        "with the mean image itself.")
        if _close(pca_said, pca_train):
            raise Wrong("you measured PCA's error on the training set: reconstruct x_test with the PCA fitted on x_train.")
        raise Wrong(f"your PCA's test MSE per pixel is {pca_said:.4g}; PCA with 2 components fitted on x_train "
                    f"(centred) gives {pca_test:.4g} on x_test.")
    if not _close(ae_said, ae_test):
        if _close(ae_said, ae_train):
            raise Wrong("you reported the error on the training set: a model is judged on images it never saw; "
                        "report the MSE per pixel of model(x_test) against x_test.")
        raise Wrong(f"your reported test error {ae_said:.4g} is not your model's: the MSE per pixel of model(x_test) "
                    f"against x_test is {ae_test:.4g}.")
    ratio = ae_test / pca_test
    if ratio >= TARGET:
        if _affine(model.encoder, x_test) and _logit_affine(model.decoder, code):
            raise Wrong("your network has no nonlinearity: a stack of linear layers is one linear map, and a linear "
                        "autoencoder ends at PCA's error at best (section 3). Put a ReLU after each hidden layer.")
        if _logit_affine(model.decoder, code):
            raise Wrong("your decoder is linear: every image it can draw lies on a flat 2-D sheet of pixel space, "
                        "and PCA already finds the best sheet. Give the decoder hidden layers with a nonlinearity, "
                        "as the encoder has.")
        raise Wrong(f"your autoencoder's test error is {ratio:.2f}x PCA's; it must be below {TARGET}x. "
                    f"Train longer (more epochs, a learning rate near 3e-3) or widen the hidden layers.")
    # the measured numbers on a line of their own: the verdict line is compared exactly
    return (f"Its test error is at least {1 - TARGET:.0%} below PCA's.\n"
            f"test MSE per pixel {measured(ae_test):.4f} against PCA's {measured(pca_test):.4f}: "
            f"{measured(1 - ratio):.0%} lower, through the same 2 numbers per image")


def _mlp(sizes, out=None):
    torch = _torch()
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers, *([out] if out is not None else []))




def _train(model, x_train, epochs=25, lr=3e-3, batch_size=64):
    torch = _torch()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        for idx in torch.randperm(len(x_train)).split(batch_size):
            xb = x_train[idx]
            loss = ((model(xb) - xb) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model


def _make(encoder, decoder):
    torch = _torch()

    class Autoencoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder, self.decoder = encoder, decoder

        def forward(self, x):
            return self.decoder(self.encoder(x))
    return Autoencoder()


def _pca_by_svd(x_train, x_test, centre=True):
    X_tr, X_te = as_numpy(x_train.double()), as_numpy(x_test.double())
    mu = X_tr.mean(0) if centre else np.zeros(X_tr.shape[1])
    V = np.linalg.svd(X_tr - mu, full_matrices=False)[2][:2]
    return float((((X_te - mu) @ V.T @ V + mu - X_te) ** 2).mean())


# The wrong answers train briefly: the judge names each mistake from the model's structure or from
# the numbers it reports, before (or whatever) the error ratio; longer training changes no verdict.
WRONG_EPOCHS = 3


def _wrong_linear_decoder(x_train, x_test):
    torch = _torch()
    D = x_train.shape[1]
    model = _train(_make(_mlp([D, 128, 64, 2]), torch.nn.Linear(2, D)), x_train, epochs=WRONG_EPOCHS)
    return model, _mse(model, x_test), _pca_by_svd(x_train, x_test)


def _wrong_no_nonlinearity(x_train, x_test):
    torch = _torch()
    D = x_train.shape[1]
    nn = torch.nn
    model = _train(_make(nn.Sequential(nn.Linear(D, 128), nn.Linear(128, 64), nn.Linear(64, 2)),
                         nn.Sequential(nn.Linear(2, 64), nn.Linear(64, 128), nn.Linear(128, D))), x_train,
                   epochs=WRONG_EPOCHS)
    return model, _mse(model, x_test), _pca_by_svd(x_train, x_test)


def _trained_briefly(x_train):
    torch = _torch()
    D = x_train.shape[1]
    return _train(_make(_mlp([D, 128, 64, 2]), _mlp([2, 64, 128, D], torch.nn.Sigmoid())), x_train,
                  epochs=WRONG_EPOCHS)


def _wrong_on_training_set(x_train, x_test):
    model = _trained_briefly(x_train)
    return model, _mse(model, x_train), _pca_by_svd(x_train, x_test)


def _wrong_uncentred(x_train, x_test):
    model = _trained_briefly(x_train)
    return model, _mse(model, x_test), _pca_by_svd(x_train, x_test, centre=False)


@exercise("an autoencoder that beats PCA", judge=judge_beat_pca, mistakes={
    "you reported the error on the training set": _wrong_on_training_set,
    "your PCA forgot to centre": _wrong_uncentred,
    "your network has no nonlinearity": _wrong_no_nonlinearity,
    "your decoder is linear": _wrong_linear_decoder,
})
def beat_pca(x_train, x_test):
    """The reference: a 2-D code between two ReLU layers each way, Adam on the pixel MSE; PCA by SVD."""
    torch = _torch()
    D = x_train.shape[1]
    model = _train(_make(_mlp([D, 128, 64, 2]), _mlp([2, 64, 128, D], torch.nn.Sigmoid())), x_train)
    return model, _mse(model, x_test), _pca_by_svd(x_train, x_test)
