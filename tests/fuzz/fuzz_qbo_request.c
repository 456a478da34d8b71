/*
 * fuzz_qbo_request.c - libFuzzer target: arbitrary requests through the
 * QuickBooks Online sandbox's socket-free core, authorised so the fuzzer
 * reaches the entity checks, QBO's arithmetic, the query parser, /batch,
 * /cdc, requestid and the OAuth paths.  Input format: fuzz_sandbox_common.h
 * (the realm of the default company is 9341453050071234).
 */
#include "fuzz_sandbox_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_sandbox_one(data, size, SANDBOX_QBO, "com.intuit.quickbooks.accounting");
}
