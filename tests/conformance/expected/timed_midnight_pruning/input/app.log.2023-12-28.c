look-alike
