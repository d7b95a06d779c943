"""Mutants of lecture 04's central formulas; each must be killed by a claim or an exercise check.

    python -m tests.mutants 04_autoencoder
"""
from tests.mutants import Mutant

# Every mutant runs on the 8x8 digits: the lecture's formulas and claims are the same code for
# every DATASET, and its default (5,000 MNIST digits of 28x28 pixels) takes three times as long.
# The claims hold on both (the digits were the default until 2026-12-07; both swept over SEED 0-19).
PARAMS = (("DATASET", "digits"),)

MUTANTS = [
    # Section 1: PCA's eigenvalues are the variances of the *centred* data.
    Mutant("PCA without centring: the spectrum of the raw data",
           "s = np.linalg.svd(X_train - mean_image, compute_uv=False)",
           "s = np.linalg.svd(X_train, compute_uv=False)"),
    Mutant("the standard deviation where the variance goes (s / sqrt(N-1) for s^2 / (N-1))",
           "eigenvalues = s**2 / (N - 1)",
           "eigenvalues = s / np.sqrt(N - 1)"),
    # Section 2: the Gaussian likelihood is the squared error over 2 sigma^2.
    Mutant("the Gaussian NLL without its 1/2",
           "((x - x_hat) ** 2).sum(-1) / (2 * sigma**2)",
           "((x - x_hat) ** 2).sum(-1) / sigma**2"),
    # Section 2: the reconstruction error the text reports is a mean per pixel.
    Mutant("the reconstruction error summed where the text says mean per pixel",
           "return ((x_hat - x) ** 2).mean()",
           "return ((x_hat - x) ** 2).sum()"),
    # Section 3: only a *linear* autoencoder is PCA. (A tanh or a ReLU slipped into the
    # code survives, rightly: with one layer each way, such a network still ends at PCA's
    # error, measured within 0.02-0.2% for SEED 0-4, as Bourlard and Kamp (1988) showed;
    # the lecture says so in section 4.) The nonlinearity of the deep autoencoder's output,
    # copied onto the linear one, cannot reach the centred data's negative values:
    Mutant("a linear autoencoder with a nonlinearity slipped in: the deep model's sigmoid output",
           "return self.decoder(self.encoder(x))  # no nonlinearity anywhere",
           "return torch.sigmoid(self.decoder(self.encoder(x)))  # no nonlinearity anywhere"),
    # Section 4: the bottleneck is what limits the reconstruction.
    Mutant("the bottleneck ignored: every autoencoder's code as wide as its last hidden layer",
           "        h1, h2 = hidden\n",
           "        h1, h2 = hidden\n        d = h2\n", module="genlib/models.py"),
    # Section 7: KL(q || p) = cross-entropy - entropy.
    Mutant("the KL without its entropy term (MAP's penalty averaged, and nothing else)",
           "return prior_cross_entropy(mu, sigma) - gaussian_entropy(sigma)",
           "return prior_cross_entropy(mu, sigma)"),
    # Exercise 2: decode adds the mean back.
    Mutant("PCA reconstruction that forgets to add the mean back",
           "return (X - mu) @ V.T @ V + mu",
           "return (X - mu) @ V.T @ V"),
    # Exercise 3: PCA is fitted to centred data; the judge recognises the uncentred version.
    Mutant("the exercise's PCA without centring",
           "mu = X_tr.mean(0)                                             # PCA centres the data",
           "mu = 0 * X_tr.mean(0)                                         # PCA centres the data"),
]
