"""Search engines behind the engine-neutral query tree; each module imports only its own library."""
