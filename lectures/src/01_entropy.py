# %% [markdown]
# # Lecture 1 - Entropy
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/generative-course/genmodels/blob/main/lectures/01_entropy.ipynb)
#
# **What you will learn**: information content, entropy, cross-entropy, bits and nats.
#
# **Prerequisites**: none (probability basics).

# %% tags=["setup"]
# Set-up: on Colab this installs the course library; anywhere else it does nothing.
import sys
if "google.colab" in sys.modules:
    get_ipython().run_line_magic("pip", "install -q git+https://github.com/generative-course/genmodels@main")

# %% tags=["parameters"]
PROFILE: str = "auto"  # one of auto, cpu, full
SEED: int = 0  # random seed, an integer >= 0

# %%
import numpy as np
import genlib
from genlib import check, info, widgets

P = genlib.validate(globals(), PROFILE=genlib.PROFILES, SEED=genlib.integer(min=0))
rt = genlib.setup(P.PROFILE, P.SEED)

# %% [markdown]
# ## Entropy of a coin
#
# $$H(p) = -\sum_x p(x) \log p(x)$$

# %%
def entropy_bits(p):
    p = np.asarray(p, dtype=float)
    nz = p > 0
    return -(p[nz] * np.log2(p[nz])).sum()

print(f"H(fair coin) = {entropy_bits([0.5, 0.5]):.3f} bits")
check.close("our entropy matches genlib's reference (scipy-tested)", entropy_bits([0.2, 0.8]), info.entropy([0.2, 0.8], base=2))

# %%
import ipywidgets as W
from genlib.views.entropy import CoinEntropy

coin = widgets.Interactive(CoinEntropy(), {"p": W.FloatSlider(value=0.5, min=0, max=1, step=0.01, description="p(heads)")},
                           title="coin entropy")
coin
