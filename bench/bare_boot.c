// SPDX-License-Identifier: GPL-2.0-only
/*
 * The baseline for memhp's boot time: start qemu-system-x86_64 by hand with
 * the same machine, kernel and initramfs, and time until qemu-ga answers a
 * guest-sync, using nothing of memhp. Prints the milliseconds.
 *
 * usage: bare_boot KERNEL INITRD [CMDLINE [QEMU-ARG...]]
 *   CMDLINE and the extra arguments make the guest memhp's: the same kernel
 *   command line and memory devices, so that what is left between the two
 *   is memhp's own (QMP, the agent handshake, the first probe).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/bare-boot-XXXXXX", sock[128], chardev[200];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *sync = "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":4242}}\n";
	long long start, end = -1;
	int fd = -1, status;
	pid_t pid;

	const char *cmdline = "console=ttyS0 rdinit=/init panic=-1 memhp_default_state=online_movable";
	const char *fixed[] = { "qemu-system-x86_64", "-nodefaults", "-no-user-config", "-no-reboot",
				"-display", "none", "-machine", "q35", "-accel", "tcg", "-cpu", "max",
				"-smp", "2", "-m", "size=1024M,slots=1,maxmem=2048M", "-serial", "null",
				"-device", "virtio-serial-pci,id=vser0", "-device",
				"virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0" };
	const size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
	char **args;
	size_t n = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: bare_boot KERNEL INITRD [CMDLINE [QEMU-ARG...]]\n");
		return 2;
	}
	if (argc > 3)
		cmdline = argv[3];
	args = calloc(nfixed + 8 + (size_t)argc, sizeof(*args));
	if (!args)
		return 1;
	if (!mkdtemp(dir))
		return 1;
	snprintf(sock, sizeof(sock), "%s/qga.sock", dir);
	snprintf(chardev, sizeof(chardev), "socket,id=qga0,path=%s,server=on,wait=off", sock);
	for (size_t i = 0; i < nfixed; i++)
		args[n++] = (char *)fixed[i];
	args[n++] = "-kernel";
	args[n++] = argv[1];
	args[n++] = "-initrd";
	args[n++] = argv[2];
	args[n++] = "-append";
	args[n++] = (char *)cmdline;
	args[n++] = "-chardev";
	args[n++] = chardev;
	for (int i = 4; i < argc; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	start = now_ms();
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execvp(args[0], args);
		_exit(127);
	}
	strcpy(sa.sun_path, sock);
	while (now_ms() - start < 120000) {
		char buf[4096];
		struct pollfd p;
		ssize_t n;

		if (fd < 0) {
			fd = socket(AF_UNIX, SOCK_STREAM, 0);
			if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
				close(fd);
				fd = -1;
				usleep(5000);
				continue;
			}
		}
		if (write(fd, sync, strlen(sync)) < 0)
			break;
		p = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 200) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		if (n <= 0)
			break;
		buf[n] = '\0';
		if (strstr(buf, "4242")) {
			end = now_ms();
			break;
		}
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	unlink(sock);
	rmdir(dir);
	if (end < 0)
		return 1;
	printf("%lld\n", end - start);
	return 0;
}
