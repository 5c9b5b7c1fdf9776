// SPDX-License-Identifier: GPL-2.0-only
/* SHA-256 digests in hex, through OpenSSL's EVP interface. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sha256.h"

static void to_hex(const unsigned char *md, unsigned len, char out[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (unsigned i = 0; i < len && i < SHA256_HEX_LEN / 2; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 0xf];
	}
	out[SHA256_HEX_LEN] = '\0';
}

void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL))
		abort();
	to_hex(md, mdlen, out);
}

int sha256_fd_hex(int fd, const char *path, char out[SHA256_HEX_LEN + 1], struct err *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE], buf[1 << 16];
	unsigned mdlen = 0;
	ssize_t n;
	int rc;

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		abort();
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	rc = n < 0 ? -errno : 0;
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (rc)
		return err_fail(err, rc, "%s: %s", path, strerror(-rc));
	to_hex(md, mdlen, out);
	return lseek(fd, 0, SEEK_SET) < 0 ? -errno : 0;
}
