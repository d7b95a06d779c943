"""Mutants of lecture 03 (MLE and MAP): each must be stopped by a claim or an exercise check."""
from . import Mutant

MUTANTS = [
    Mutant("the variance MLE dividing by n - 1",
           "var_hat = ((x - mu_hat) ** 2).mean()",
           "var_hat = ((x - mu_hat) ** 2).sum() / (len(x) - 1)"),
    Mutant("lambda = tau^2 / sigma^2 in the ridge MAP",
           "    lam = sigma ** 2 / tau ** 2\n    return np.linalg.solve(Phi.T @ Phi + lam * np.eye(Phi.shape[1]), Phi.T @ y)",
           "    lam = tau ** 2 / sigma ** 2\n    return np.linalg.solve(Phi.T @ Phi + lam * np.eye(Phi.shape[1]), Phi.T @ y)"),
    Mutant("MAP without the prior",
           "return np.linalg.solve(Phi.T @ Phi + lam * np.eye(Phi.shape[1]), Phi.T @ y)",
           "return np.linalg.solve(Phi.T @ Phi, Phi.T @ y)"),
    Mutant("the Gaussian's differential entropy without the e",
           "return 0.5 * np.log(2 * np.pi * np.e * sigma ** 2)",
           "return 0.5 * np.log(2 * np.pi * sigma ** 2)"),
    Mutant("the lasso threshold without the noise variance (sigma^2 / b -> 1 / b)",
           "    t = sigma ** 2 / b\n",
           "    t = 1 / b\n"),
    Mutant("a Laplace prior that only shrinks (ridge-like step instead of the soft threshold)",
           "w[j] = soft_threshold(X[:, j] @ r, t) / col_sq[j]",
           "w[j] = (X[:, j] @ r) / (col_sq[j] + t)"),
    Mutant("the coin's MAP is the posterior mean",
           "    return (k + a - 1) / (n + a + b - 2)\n",
           "    return (k + a) / (n + a + b)\n"),
]
