"""Input validation shared by the public boundary of every module.

Checks run on concrete values only: inside ``jit`` a traced array has no value
to check, and the caller outside the trace has already been validated.
"""

import jax
import jax.numpy as jnp
import numpy as np


def is_traced(x):
    """True when ``x`` is a JAX tracer (inside ``jit``, ``grad``, ``vmap``)."""
    return isinstance(x, jax.core.Tracer)


def as_vector(v, dim, name="v"):
    """Return ``v`` as a float64 JAX vector of shape ``(dim,)`` or raise ``ValueError``."""
    v = jnp.asarray(v, dtype=jnp.float64)
    if v.shape != (dim,):
        raise ValueError(f"{name} has shape {v.shape}; expected a vector of shape ({dim},)")
    if not is_traced(v) and not bool(jnp.all(jnp.isfinite(v))):
        raise ValueError(f"{name} contains NaN or inf; expected finite numbers")
    return v


def finite_array(a, name):
    """Return ``a`` as a float64 NumPy array, or raise ``ValueError`` if it is not finite."""
    try:
        a = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an array of numbers ({err})") from None
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or inf; expected finite numbers")
    return a
