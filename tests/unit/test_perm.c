/*
 * The permission matrix in code must be the one docs/ROLES.md shows:
 * this test holds the same table and checks every cell.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/perm.h"

/* viewer, analyst, admin, owner — as in docs/ROLES.md. */
static const struct {
	enum perm perm;
	int       allowed[ROLE_COUNT];
} matrix[] = {
    {PERM_LOGS_READ, {1, 1, 1, 1}},
    {PERM_SEARCH_SAVE, {1, 1, 1, 1}},
    {PERM_USERS_READ, {1, 1, 1, 1}},
    {PERM_LOGS_WRITE, {0, 1, 1, 1}},
    {PERM_ALERTS_ACK, {0, 1, 1, 1}},
    {PERM_ALERTS_EDIT, {0, 0, 1, 1}},
    {PERM_USERS_MANAGE, {0, 0, 1, 1}},
    {PERM_KEYS_MANAGE, {0, 0, 1, 1}},
    {PERM_BRANDING, {0, 0, 1, 1}},
    {PERM_BILLING_READ, {0, 0, 1, 1}},
    {PERM_OWNERS, {0, 0, 0, 1}},
};

static void
test_matrix_matches_the_documentation(void **state)
{
	size_t i;
	int    r;

	(void)state;
	/* Every permission but PERM_NONE is in the table. */
	assert_int_equal(sizeof(matrix) / sizeof(matrix[0]), PERM_COUNT - 1);
	for (i = 0; i < sizeof(matrix) / sizeof(matrix[0]); i++) {
		for (r = 0; r < ROLE_COUNT; r++)
			assert_int_equal(
			    perm_role_allows((enum role)r, matrix[i].perm),
			    matrix[i].allowed[r]);
	}
}

static void
test_unknown_roles_and_permissions_allow_nothing(void **state)
{
	(void)state;
	assert_false(perm_role_allows(ROLE_NONE, PERM_NONE));
	assert_false(perm_role_allows(ROLE_COUNT, PERM_LOGS_READ));
	assert_false(perm_role_allows(ROLE_OWNER, PERM_COUNT));
	assert_int_equal(perm_role_parse("superuser"), ROLE_NONE);
	assert_int_equal(perm_role_parse("Owner"), ROLE_NONE);
	assert_int_equal(perm_role_parse(NULL), ROLE_NONE);
	assert_int_equal(perm_role_parse("owner"), ROLE_OWNER);
	assert_string_equal(perm_role_name(ROLE_ANALYST), "analyst");
}

static void
test_api_key_scopes(void **state)
{
	const char *both[] = {"ingest", "read"};
	const char *bad[] = {"ingest", "admin"};
	unsigned    s;

	(void)state;
	assert_true(perm_scopes_parse(both, 2, &s));
	assert_int_equal(s, SCOPE_INGEST | SCOPE_READ);
	assert_false(perm_scopes_parse(bad, 2, &s));
	assert_false(perm_scopes_parse(both, 0, &s));
	assert_true(perm_scopes_allow(SCOPE_INGEST, PERM_LOGS_WRITE));
	assert_false(perm_scopes_allow(SCOPE_INGEST, PERM_LOGS_READ));
	assert_true(perm_scopes_allow(SCOPE_READ, PERM_LOGS_READ));
	assert_false(
	    perm_scopes_allow(SCOPE_READ | SCOPE_INGEST, PERM_USERS_MANAGE));
	assert_false(
	    perm_scopes_allow(SCOPE_READ | SCOPE_INGEST, PERM_KEYS_MANAGE));
	assert_false(perm_scopes_allow(0, PERM_NONE));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_matrix_matches_the_documentation),
	    cmocka_unit_test(test_unknown_roles_and_permissions_allow_nothing),
	    cmocka_unit_test(test_api_key_scopes),
	};

	return (cmocka_run_group_tests_name("perm", tests, NULL, NULL));
}
