/* Test fixtures: files under tests/fixtures and the JSON examples of the seed documents. */
#ifndef PCCART_TESTS_FIXTURES_H
#define PCCART_TESTS_FIXTURES_H

/* The contents of tests/fixtures/<name>, NUL-terminated; NULL if unreadable. Caller frees. */
char *fixture_read(const char *name);

/* The body (the text after the start line and header lines) of the block_index-th
 * (0-based) ```http block of a seed document under PCC_SEEDS_DIR. seed_file is a file
 * name or a prefix of one ("004"). NULL when shared/ is absent or the block is missing. */
char *fixture_seed_json_block(const char *seed_file, int block_index);

/* True when the seed documents directory is present (shared/ may be absent in a plain
 * checkout of the project). */
int fixture_seeds_available(void);

/* A documentation example made parseable: annotations stripped, a leading "?" or BOM before
 * "{" dropped, no-break spaces made spaces, `{...}` replaced by `{}`, lines of only `...`
 * dropped, trailing commas before } or ] removed, and a comma the page forgot between two
 * members put back. NULL when out of memory. Caller frees. */
char *fixture_normalize_doc_json(const char *text);

#endif
