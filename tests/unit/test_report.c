// SPDX-License-Identifier: GPL-2.0-only
/* Report arithmetic on values a result file can hold (run under UBSan too). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"
#include "units.h"

static void test_format_bytes_clamps(void **state)
{
	char buf[32], want[32];

	(void)state;
	/* Defect 15: (uint64_t) of a mean at or above 2^64 is undefined. */
	assert_string_equal(report_format_bytes(18446744073709551616.0, buf, sizeof(buf)),
			    format_size(UINT64_MAX, want, sizeof(want)));
	assert_string_equal(report_format_bytes(1e300, buf, sizeof(buf)), want);
	assert_string_equal(report_format_bytes(INFINITY, buf, sizeof(buf)), want);
	assert_string_equal(report_format_bytes(NAN, buf, sizeof(buf)),
			    format_size(0, want, sizeof(want)));
	assert_string_equal(report_format_bytes(-5, buf, sizeof(buf)), want);
	assert_string_equal(report_format_bytes(1536.0 * 1048576, buf, sizeof(buf)),
			    format_size(1536ULL << 20, want, sizeof(want)));
}

static void test_bytes_unplugged(void **state)
{
	struct count c = { .have_plugged = true, .bytes_plugged = 1, .bytes_remaining = 2 };

	(void)state;
	/* remaining above plugged (a damaged file) is no wrap to 2^64 - 1 */
	assert_int_equal(result_bytes_unplugged(&c), 0);
	assert_false(result_have_bytes_unplugged(&c));
	c.have_final = true;
	c.bytes_plugged = 3;
	assert_int_equal(result_bytes_unplugged(&c), 1);
	assert_true(result_have_bytes_unplugged(&c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_bytes_clamps),
		cmocka_unit_test(test_bytes_unplugged),
	};

	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
