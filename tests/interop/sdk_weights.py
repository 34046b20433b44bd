"""The bittensor SDK's bittensor/utils/weight_utils.py, loaded on its own.

The SDK (bittensor 10.2.0) cannot be installed with its dependencies beside
the bittensor-wallet this project pins (it requires bittensor-wallet==4.0.1,
we pin 4.1.1), so scripts/setup-oracles.sh installs it with --no-deps
(tests/interop/requirements-sdk.txt) together with what weight_utils.py
itself needs: numpy, scalecodec (+ base58) and bittensor-wallet.

Importing bittensor.utils.weight_utils the normal way would run
bittensor/__init__.py, which imports the whole SDK (chain clients, axon,
logging machinery, ...). Instead this module runs the installed
weight_utils.py file unmodified under its real module name, after giving
the four modules it imports from the SDK lightweight stand-ins:

  bittensor.utils.btlogging    logging            -> no-op logger
  bittensor.utils.registration legacy_torch_api_compat, use_torch, torch
                                                  -> identity, False, None
                                (the numpy path, as without USE_TORCH=1)
  bittensor.core.types         Weights            -> a type alias only used
                                                     in an annotation
  bittensor, bittensor.utils, bittensor.core      -> bare packages pointing
                                                     at the installed files

None of these take part in the arithmetic under test.
"""

import importlib.metadata
import importlib.util
import os
import sys
import types

SDK_VERSION = "10.2.0"


class _QuietLogging:
    def debug(self, *args, **kwargs):
        pass

    info = warning = error = debug


def _package(name, path):
    mod = types.ModuleType(name)
    mod.__path__ = [path]
    sys.modules[name] = mod
    return mod


def load():
    """Returns the SDK's weight_utils module, or raises ImportError."""
    spec = importlib.util.find_spec("bittensor")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the bittensor SDK is not installed")
    version = importlib.metadata.version("bittensor")
    if version != SDK_VERSION:
        raise ImportError(f"bittensor {version} is installed, the tests pin {SDK_VERSION}")
    root = spec.submodule_search_locations[0]
    _package("bittensor", root)
    _package("bittensor.utils", os.path.join(root, "utils"))
    _package("bittensor.core", os.path.join(root, "core"))

    core_types = types.ModuleType("bittensor.core.types")
    core_types.Weights = object
    sys.modules[core_types.__name__] = core_types
    btlogging = types.ModuleType("bittensor.utils.btlogging")
    btlogging.logging = _QuietLogging()
    sys.modules[btlogging.__name__] = btlogging
    registration = types.ModuleType("bittensor.utils.registration")
    registration.legacy_torch_api_compat = lambda func: func
    registration.use_torch = lambda: False
    registration.torch = None
    sys.modules[registration.__name__] = registration

    name = "bittensor.utils.weight_utils"
    file_spec = importlib.util.spec_from_file_location(name, os.path.join(root, "utils", "weight_utils.py"))
    module = importlib.util.module_from_spec(file_spec)
    sys.modules[name] = module
    file_spec.loader.exec_module(module)
    return module


def u16_normalized_float(x):
    """bittensor.utils.u16_normalized_float, which subtensor.max_weight_limit()
    applies to MaxWeightsLimit (bittensor/utils/__init__.py is not loaded)."""
    return float(x) / float(65535)
