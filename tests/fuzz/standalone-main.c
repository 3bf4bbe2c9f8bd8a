/*
 * A main() for the fuzz targets in builds without libFuzzer: replays
 * every file of the corpus directories (or single files) given as
 * arguments through LLVMFuzzerTestOneInput, so the seeds run as tests.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void replay_file(const char *path, unsigned int *count)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *contents = NULL;
    gsize len;

    if (!g_file_get_contents(path, &contents, &len, &err)) {
        fprintf(stderr, "%s\n", err->message);
        exit(1);
    }
    /* A copy of exactly len bytes, so ASan sees reads past the input. */
    g_autofree uint8_t *copy = g_memdup2(contents, len ? len : 1);
    LLVMFuzzerTestOneInput(copy, len);
    (*count)++;
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay_dir(const char *dirname, unsigned int *count)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    GDir *dir = g_dir_open(dirname, 0, &err);
    const char *name;

    if (!dir) {
        fprintf(stderr, "%s\n", err->message);
        exit(1);
    }
    while ((name = g_dir_read_name(dir))) {
        g_ptr_array_add(names, g_build_filename(dirname, name, NULL));
    }
    g_dir_close(dir);
    /* Same order on every machine, so a failure reproduces. */
    g_ptr_array_sort(names, compare_names);
    for (guint i = 0; i < names->len; i++) {
        if (g_file_test(names->pdata[i], G_FILE_TEST_IS_REGULAR)) {
            replay_file(names->pdata[i], count);
        }
    }
}

int main(int argc, char **argv)
{
    unsigned int count = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS-DIR|FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        if (g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
            replay_dir(argv[i], &count);
        } else {
            replay_file(argv[i], &count);
        }
    }
    printf("%s: replayed %u inputs\n", argv[0], count);
    /* An empty corpus would make this test pass without testing. */
    return count ? 0 : 1;
}
