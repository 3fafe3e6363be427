import os
import sys

# Test the package from this checkout, installed or not.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
os.environ.setdefault("KERAS_BACKEND", "torch")
