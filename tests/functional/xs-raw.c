/*
 * A raw XenStore socket client for the shell functional tests: sends
 * messages Xen's tools cannot (any type, an oversized header).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
/*
 *   xs-raw SOCKET TYPE [STRING...]
 *       one request of message type TYPE (a number), the payload being
 *       the strings each followed by a NUL; prints "TYPE payload" with
 *       NULs shown as '|'
 *   xs-raw SOCKET --oversized
 *       a header announcing 5000 payload bytes; prints "closed" when the
 *       server closes the connection without replying
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#define TIMEOUT_MS 20000
#define REQ_ID 7

/* n bytes, or fewer at end of file; -1 on error or timeout. */
static ssize_t recv_exact(int fd, void *buf, size_t n)
{
    size_t got = 0;

    while (got < n) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        ssize_t r;

        if (poll(&pfd, 1, TIMEOUT_MS) != 1) {
            return -1;
        }
        r = read(fd, (char *)buf + got, n - got);
        if (r < 0) {
            return -1;
        }
        if (r == 0) {
            break;
        }
        got += r;
    }
    return got;
}

static int send_all(int fd, const void *buf, size_t n)
{
    return send(fd, buf, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    uint32_t hdr[4];
    char payload[4096], reply[4097];
    size_t len = 0;
    ssize_t got;
    int fd;

    if (argc < 3 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
        fprintf(stderr, "usage: xs-raw SOCKET TYPE [STRING...] | "
                "SOCKET --oversized\n");
        return 2;
    }
    strcpy(addr.sun_path, argv[1]);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        perror("xs-raw: connect");
        return 1;
    }
    if (!strcmp(argv[2], "--oversized")) {
        uint32_t bad[4] = { 2, REQ_ID, 0, 5000 };

        if (send_all(fd, bad, sizeof(bad)) < 0) {
            perror("xs-raw: send");
            return 1;
        }
        got = recv_exact(fd, hdr, sizeof(hdr));
        puts(got == 0 ? "closed" : got < 0 ? "timeout" : "replied");
        return 0;
    }
    for (int i = 3; i < argc; i++) {
        size_t n = strlen(argv[i]) + 1;

        if (len + n > sizeof(payload)) {
            fprintf(stderr, "xs-raw: payload too long\n");
            return 2;
        }
        memcpy(payload + len, argv[i], n);
        len += n;
    }
    hdr[0] = strtoul(argv[2], NULL, 10);
    hdr[1] = REQ_ID;
    hdr[2] = 0;
    hdr[3] = len;
    if (send_all(fd, hdr, sizeof(hdr)) < 0 ||
        send_all(fd, payload, len) < 0) {
        perror("xs-raw: send");
        return 1;
    }
    if (recv_exact(fd, hdr, sizeof(hdr)) != sizeof(hdr)) {
        puts("closed");
        return 1;
    }
    if (hdr[1] != REQ_ID || hdr[3] > 4096 ||
        recv_exact(fd, reply, hdr[3]) != hdr[3]) {
        puts("bad reply");
        return 1;
    }
    for (uint32_t i = 0; i < hdr[3]; i++) {
        if (!reply[i]) {
            reply[i] = '|';
        }
    }
    reply[hdr[3]] = '\0';
    printf("%u %s\n", hdr[0], reply);
    close(fd);
    return 0;
}
