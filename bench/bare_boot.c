// SPDX-License-Identifier: GPL-2.0-only
/*
 * The baseline for memhp's boot time: start qemu-system-x86_64 by hand with
 * the same machine, kernel and initramfs, and time until qemu-ga answers a
 * guest-sync, using nothing of memhp. Prints the milliseconds.
 *
 * usage: bare_boot KERNEL INITRD
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

	if (argc != 3) {
		fprintf(stderr, "usage: bare_boot KERNEL INITRD\n");
		return 2;
	}
	if (!mkdtemp(dir))
		return 1;
	snprintf(sock, sizeof(sock), "%s/qga.sock", dir);
	snprintf(chardev, sizeof(chardev), "socket,id=qga0,path=%s,server=on,wait=off", sock);
	start = now_ms();
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execlp("qemu-system-x86_64", "qemu-system-x86_64", "-nodefaults", "-no-user-config",
		       "-no-reboot", "-display", "none", "-machine", "q35", "-accel", "tcg", "-cpu",
		       "max", "-smp", "2", "-m", "size=1024M,slots=1,maxmem=2048M", "-kernel", argv[1],
		       "-initrd", argv[2], "-append",
		       "console=ttyS0 rdinit=/init panic=-1 memhp_default_state=online_movable",
		       "-serial", "null", "-device", "virtio-serial-pci,id=vser0", "-chardev", chardev,
		       "-device", "virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0",
		       (char *)NULL);
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
