"""Items: the example resource each user owns. Copy this package for your own resources."""
