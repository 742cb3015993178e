/*
 * ProcessPrng for Wine versions that lack bcryptprimitives.dll (Debian 12
 * ships Wine 8.0). Go programs since Go 1.24 take their randomness from
 * ProcessPrng, which every Windows 10 and later has. This stand-in, built
 * with MinGW-w64 and placed in the test prefix's system32, draws from
 * RtlGenRandom (advapi32's SystemFunction036). Test use only: it is never
 * shipped.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG n = length > 0x10000000 ? 0x10000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
