"""gtml_utils: the solvers, simulators, plots and widgets of the course book
*Game Theory & Machine Learning*.

One module per concept, each importable on its own:

- :mod:`gtml_utils.projections` -- convex compact sets and Euclidean projections,
- :mod:`gtml_utils.games` -- continuous and normal-form games, the classic examples,
- :mod:`gtml_utils.plotting` -- the course figure style, phase portraits, animations.

Importing the package switches JAX to 64-bit floats: the book measures rates and
residuals to many digits, which float32 cannot resolve.
"""

import jax

jax.config.update("jax_enable_x64", True)

__version__ = "0.1.0"
