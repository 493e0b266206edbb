"""Letters from the union to employers: made, sent, downloaded, expired."""
