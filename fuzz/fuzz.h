/* fuzz/fuzz.h — the libFuzzer entry point every fuzz/<name>.c defines; the
 * Makefile force-includes it (-include) so the definition has a prototype. */
#ifndef EDDY_FUZZ_H
#define EDDY_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
