/*
 * fuzz_sandbox_request.c - libFuzzer target: arbitrary requests through the
 * Xero sandbox's socket-free core (sandbox_handle), authorised so the fuzzer
 * reaches the endpoint handlers, the where parser, the arithmetic and the
 * OAuth form parser.  Input format: fuzz_sandbox_common.h.
 */
#include "fuzz_sandbox_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_sandbox_one(data, size, SANDBOX_XERO,
	                        "accounting.transactions accounting.contacts accounting.settings "
	                        "offline_access");
}
