/* peak_rss OUT COMMAND [ARGS...]: runs COMMAND and writes "EXIT_CODE PEAK_RSS_KIB\n" to the file OUT.
 *
 * The peak is wait4()'s ru_maxrss for that one child. Linux carries the high-water mark of a
 * process's memory across fork and exec, so a child of a large process (the Python test driver)
 * would report at least the driver's size: measured from this small launcher instead, the
 * figure is COMMAND's own peak (plus this launcher's ~1 MiB). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s OUT COMMAND [ARGS...]\n", argv[0]);
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("peak_rss: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "peak_rss: cannot run %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    int status = 0;
    struct rusage usage;
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) {
            perror("peak_rss: wait4");
            return 2;
        }
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *out = fopen(argv[1], "w");
    if (!out || fprintf(out, "%d %ld\n", code, usage.ru_maxrss) < 0 || fclose(out) != 0) {
        perror("peak_rss: writing the result");
        return 2;
    }
    return 0;
}
