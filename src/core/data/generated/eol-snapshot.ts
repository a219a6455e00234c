// generated — do not edit. Source: rules/data/eol-snapshot.yaml; regenerate with `node scripts/gen-data.mjs`.
import type { EolSnapshotData } from "../eol.js";

export const EOL_SNAPSHOT_DATA: EolSnapshotData = {
  "snapshotDate": "2026-08-22",
  "source": "endoflife.date",
  "sourceRef": "endoflife-date/endoflife.date @a70eca3 products/*.md (2026-08-22), via rules-catalog.md §5 and notes/auto-update.md §6.2",
  "products": {
    "debian": {
      "title": "Debian",
      "endoflife": "debian",
      "kind": "os",
      "extendedSupportPaid": false,
      "allEolUpTo": "7",
      "cycles": [
        {
          "cycle": "13",
          "codename": "trixie",
          "eol": "2028-08-09",
          "extendedSupport": "2030-06-30"
        },
        {
          "cycle": "12",
          "codename": "bookworm",
          "eol": "2026-07-11",
          "extendedSupport": "2028-06-30"
        },
        {
          "cycle": "11",
          "codename": "bullseye",
          "eol": "2024-08-14",
          "extendedSupport": "2026-08-31"
        },
        {
          "cycle": "10",
          "codename": "buster",
          "eol": "2022-09-10",
          "extendedSupport": "2024-06-30"
        },
        {
          "cycle": "9",
          "codename": "stretch",
          "eol": "2020-07-18"
        },
        {
          "cycle": "8",
          "codename": "jessie",
          "eol": "2018-06-17"
        }
      ]
    },
    "ubuntu": {
      "title": "Ubuntu",
      "endoflife": "ubuntu",
      "kind": "os",
      "extendedSupportPaid": true,
      "preferLts": true,
      "allEolUpTo": "21.10",
      "cycles": [
        {
          "cycle": "26.04",
          "codename": "resolute",
          "lts": true,
          "eol": "2031-04-30",
          "extendedSupport": "2036-04-30",
          "source": "extendedSupport day from endoflife.date products/ubuntu.md (stored copy @021ca13); notes §6.2 give only the year 2036"
        },
        {
          "cycle": "25.10",
          "codename": "questing",
          "eol": "2026-07-01",
          "source": "codename from endoflife.date products/ubuntu.md (stored copy @021ca13)"
        },
        {
          "cycle": "25.04",
          "codename": "plucky",
          "eol": "2026-01-17",
          "source": "codename from endoflife.date products/ubuntu.md (stored copy @021ca13)"
        },
        {
          "cycle": "24.10",
          "codename": "oracular",
          "eol": "2025-07-10",
          "source": "codename from endoflife.date products/ubuntu.md (stored copy @021ca13)"
        },
        {
          "cycle": "24.04",
          "codename": "noble",
          "lts": true,
          "eol": "2029-05-31",
          "extendedSupport": "2036-05-31"
        },
        {
          "cycle": "23.10",
          "codename": "mantic",
          "eol": "2024-07-12",
          "source": "interim release absent from the catalog table; row from endoflife.date products/ubuntu.md (stored copy @021ca13)"
        },
        {
          "cycle": "23.04",
          "codename": "lunar",
          "eol": "2024-01-20",
          "source": "interim release absent from the catalog table; row from endoflife.date products/ubuntu.md (stored copy @021ca13)"
        },
        {
          "cycle": "22.10",
          "codename": "kinetic",
          "eol": "2023-07-20",
          "source": "interim release absent from the catalog table; row from endoflife.date products/ubuntu.md (stored copy @021ca13)"
        },
        {
          "cycle": "22.04",
          "codename": "jammy",
          "lts": true,
          "eol": "2027-04-01",
          "extendedSupport": "2032-04-09"
        },
        {
          "cycle": "20.04",
          "codename": "focal",
          "lts": true,
          "eol": "2025-05-31",
          "extendedSupport": "2030-04-02"
        },
        {
          "cycle": "18.04",
          "codename": "bionic",
          "lts": true,
          "eol": "2023-05-31",
          "extendedSupport": "2028-04-01",
          "source": "extendedSupport from endoflife.date products/ubuntu.md (stored copy @021ca13)"
        },
        {
          "cycle": "16.04",
          "codename": "xenial",
          "lts": true,
          "eol": "2021-04-02",
          "extendedSupport": "2026-04-02",
          "source": "extendedSupport from endoflife.date products/ubuntu.md (stored copy @021ca13)"
        },
        {
          "cycle": "14.04",
          "codename": "trusty",
          "lts": true,
          "eol": "2019-04-02",
          "extendedSupport": "2024-04-02",
          "source": "extendedSupport from endoflife.date products/ubuntu.md (stored copy @021ca13)"
        }
      ]
    },
    "alpine": {
      "title": "Alpine Linux",
      "endoflife": "alpine-linux",
      "kind": "os",
      "allEolUpTo": "3.20",
      "cycles": [
        {
          "cycle": "3.24",
          "eol": "2028-06-01"
        },
        {
          "cycle": "3.23",
          "eol": "2027-11-01"
        },
        {
          "cycle": "3.22",
          "eol": "2027-05-01"
        },
        {
          "cycle": "3.21",
          "eol": "2026-11-01"
        },
        {
          "cycle": "3.20",
          "eol": "2026-04-01"
        },
        {
          "cycle": "3.19",
          "eol": "2025-11-01"
        },
        {
          "cycle": "3.18",
          "eol": "2025-05-09"
        },
        {
          "cycle": "3.17",
          "eol": "2024-11-22"
        }
      ]
    },
    "node": {
      "title": "Node.js",
      "endoflife": "nodejs",
      "kind": "runtime",
      "preferLts": true,
      "allEolUpTo": "21",
      "cycles": [
        {
          "cycle": "26",
          "lts": "2026-10-28",
          "eol": "2029-04-30"
        },
        {
          "cycle": "25",
          "eol": "2026-06-01"
        },
        {
          "cycle": "24",
          "lts": true,
          "eol": "2028-04-30"
        },
        {
          "cycle": "23",
          "eol": "2025-06-01"
        },
        {
          "cycle": "22",
          "lts": true,
          "eol": "2027-04-30"
        },
        {
          "cycle": "20",
          "lts": true,
          "eol": "2026-04-30"
        },
        {
          "cycle": "18",
          "lts": true,
          "eol": "2025-04-30"
        },
        {
          "cycle": "16",
          "lts": true,
          "eol": "2023-09-11"
        }
      ]
    },
    "python": {
      "title": "Python",
      "endoflife": "python",
      "kind": "runtime",
      "allEolUpTo": "3.9",
      "cycles": [
        {
          "cycle": "3.14",
          "eol": "2030-10-31"
        },
        {
          "cycle": "3.13",
          "eol": "2029-10-31"
        },
        {
          "cycle": "3.12",
          "eol": "2028-10-31"
        },
        {
          "cycle": "3.11",
          "eol": "2027-10-31"
        },
        {
          "cycle": "3.10",
          "eol": "2026-10-31"
        },
        {
          "cycle": "3.9",
          "eol": "2025-10-31"
        },
        {
          "cycle": "3.8",
          "eol": "2024-10-07"
        },
        {
          "cycle": "3.7",
          "eol": "2023-06-27"
        },
        {
          "cycle": "3.6",
          "eol": "2021-12-23"
        },
        {
          "cycle": "2.7",
          "eol": "2020-01-01"
        }
      ]
    },
    "golang": {
      "title": "Go",
      "endoflife": "go",
      "kind": "runtime",
      "allEolUpTo": "1.25",
      "cycles": [
        {
          "cycle": "1.27",
          "eol": false
        },
        {
          "cycle": "1.26",
          "eol": false
        },
        {
          "cycle": "1.25",
          "eol": "2026-08-19"
        },
        {
          "cycle": "1.24",
          "eol": "2026-02-10"
        },
        {
          "cycle": "1.23",
          "eol": "2025-08-12"
        }
      ]
    },
    "centos": {
      "title": "CentOS Linux",
      "endoflife": "centos",
      "kind": "os",
      "allEolUpTo": "8",
      "advice": "CentOS Linux has ended; move to CentOS Stream (quay.io/centos/centos:stream9 or stream10), UBI, or another maintained base image. The centos image on Docker Hub is deprecated.",
      "cycles": [
        {
          "cycle": "8",
          "eol": "2021-12-31"
        },
        {
          "cycle": "7",
          "eol": "2024-06-30"
        },
        {
          "cycle": "6",
          "eol": "2020-11-30"
        }
      ]
    },
    "centos-stream": {
      "title": "CentOS Stream",
      "endoflife": "centos-stream",
      "kind": "os",
      "cycles": [
        {
          "cycle": "10",
          "eol": "2030-05-31"
        },
        {
          "cycle": "9",
          "eol": "2027-05-31"
        },
        {
          "cycle": "8",
          "eol": "2024-05-31"
        }
      ]
    },
    "amazonlinux": {
      "title": "Amazon Linux",
      "endoflife": "amazon-linux",
      "kind": "os",
      "cycles": [
        {
          "cycle": "2023",
          "support": "2027-06-30",
          "eol": "2029-06-30"
        },
        {
          "cycle": "2",
          "eol": "2026-06-30"
        },
        {
          "cycle": "2018.03",
          "eol": "2023-12-31"
        }
      ]
    },
    "eclipse-temurin": {
      "title": "Eclipse Temurin (Java)",
      "endoflife": "eclipse-temurin",
      "kind": "runtime",
      "preferLts": true,
      "cycles": [
        {
          "cycle": "26",
          "eol": "2026-09-15"
        },
        {
          "cycle": "25",
          "lts": true,
          "eol": "2031-09-30"
        },
        {
          "cycle": "24",
          "eol": "2025-09-16"
        },
        {
          "cycle": "23",
          "eol": "2025-03-18",
          "source": "catalog §5 says non-LTS 22–24 are EOL; date from endoflife.date products/eclipse-temurin.md (stored copy @0150645)"
        },
        {
          "cycle": "22",
          "eol": "2024-09-17",
          "source": "catalog §5 says non-LTS 22–24 are EOL; date from endoflife.date products/eclipse-temurin.md (stored copy @0150645)"
        },
        {
          "cycle": "21",
          "lts": true,
          "eol": "2029-12-31"
        },
        {
          "cycle": "20",
          "eol": "2023-09-19",
          "source": "catalog §5 says non-LTS 18–20 are EOL; date from endoflife.date products/eclipse-temurin.md (stored copy @0150645)"
        },
        {
          "cycle": "19",
          "eol": "2023-03-31",
          "source": "catalog §5 says non-LTS 18–20 are EOL; date from endoflife.date products/eclipse-temurin.md (stored copy @0150645)"
        },
        {
          "cycle": "18",
          "eol": "2022-09-30",
          "source": "catalog §5 says non-LTS 18–20 are EOL; date from endoflife.date products/eclipse-temurin.md (stored copy @0150645)"
        },
        {
          "cycle": "17",
          "lts": true,
          "eol": "2027-10-31"
        },
        {
          "cycle": "11",
          "lts": true,
          "eol": "2027-10-31"
        },
        {
          "cycle": "8",
          "lts": true,
          "eol": "2030-12-31"
        }
      ]
    },
    "php": {
      "title": "PHP",
      "endoflife": "php",
      "kind": "runtime",
      "allEolUpTo": "8.1",
      "cycles": [
        {
          "cycle": "8.5",
          "eol": "2029-12-31"
        },
        {
          "cycle": "8.4",
          "eol": "2028-12-31"
        },
        {
          "cycle": "8.3",
          "eol": "2027-12-31"
        },
        {
          "cycle": "8.2",
          "eol": "2026-12-31"
        },
        {
          "cycle": "8.1",
          "eol": "2025-12-31"
        }
      ]
    },
    "ruby": {
      "title": "Ruby",
      "endoflife": "ruby",
      "kind": "runtime",
      "allEolUpTo": "3.2",
      "cycles": [
        {
          "cycle": "4.0",
          "eol": "2029-03-31"
        },
        {
          "cycle": "3.4",
          "eol": "2028-03-31"
        },
        {
          "cycle": "3.3",
          "eol": "2027-03-31"
        },
        {
          "cycle": "3.2",
          "eol": "2026-03-31"
        },
        {
          "cycle": "3.1",
          "eol": "2025-03-26"
        }
      ]
    },
    "dotnet": {
      "title": ".NET",
      "endoflife": "dotnet",
      "kind": "runtime",
      "preferLts": true,
      "allEolUpTo": "7",
      "cycles": [
        {
          "cycle": "10",
          "lts": true,
          "eol": "2028-11-14"
        },
        {
          "cycle": "9",
          "eol": "2026-11-10"
        },
        {
          "cycle": "8",
          "lts": true,
          "eol": "2026-11-10"
        },
        {
          "cycle": "7",
          "eol": "2024-05-14"
        },
        {
          "cycle": "6",
          "lts": true,
          "eol": "2024-11-12"
        }
      ]
    },
    "postgres": {
      "title": "PostgreSQL",
      "endoflife": "postgresql",
      "kind": "app",
      "allEolUpTo": "13",
      "cycles": [
        {
          "cycle": "18",
          "eol": "2030-11-14"
        },
        {
          "cycle": "17",
          "eol": "2029-11-08"
        },
        {
          "cycle": "16",
          "eol": "2028-11-09"
        },
        {
          "cycle": "15",
          "eol": "2027-11-11"
        },
        {
          "cycle": "14",
          "eol": "2026-11-12"
        },
        {
          "cycle": "13",
          "eol": "2025-11-13"
        },
        {
          "cycle": "12",
          "eol": "2024-11-21"
        }
      ]
    },
    "nginx": {
      "title": "nginx",
      "endoflife": "nginx",
      "kind": "app",
      "allEolUpTo": "1.29",
      "cycles": [
        {
          "cycle": "1.31",
          "eol": false
        },
        {
          "cycle": "1.30",
          "eol": false
        },
        {
          "cycle": "1.29",
          "eol": "2026-05-13"
        },
        {
          "cycle": "1.28",
          "eol": "2026-04-14"
        },
        {
          "cycle": "1.27",
          "eol": "2025-06-24"
        },
        {
          "cycle": "1.26",
          "eol": "2025-04-23"
        }
      ]
    },
    "ubi": {
      "title": "Red Hat Universal Base Image (RHEL lifecycle)",
      "endoflife": "rhel",
      "refreshCycleFilter": "^\\d+$",
      "kind": "os",
      "cycles": [
        {
          "cycle": "10",
          "eol": "2035-05-31"
        },
        {
          "cycle": "9",
          "eol": "2032-05-31"
        },
        {
          "cycle": "8",
          "eol": "2029-05-31"
        },
        {
          "cycle": "7",
          "eol": "2024-06-30"
        }
      ]
    },
    "ingress-nginx": {
      "title": "ingress-nginx controller",
      "endoflife": null,
      "kind": "app",
      "advice": "The ingress-nginx project has been retired; migrate to another Ingress controller or to the Gateway API.",
      "cycles": [
        {
          "cycle": "all",
          "eol": "2026-03",
          "source": "Kubescape C-0292 (catalog §5): project EOL March 2026; the day is not given, so month precision"
        }
      ]
    }
  },
  "images": [
    {
      "product": "node",
      "repositories": [
        "docker.io/library/node"
      ],
      "tags": "<major>[.<minor>[.<patch>]][-<os>][-<variant>]; lts, current, latest float"
    },
    {
      "product": "python",
      "repositories": [
        "docker.io/library/python"
      ],
      "tags": "<X.Y>[.<Z>][-<variant>][-<os>]; 3 and latest float"
    },
    {
      "product": "golang",
      "repositories": [
        "docker.io/library/golang"
      ],
      "tags": "<1.N>[.<patch>][-<os>]"
    },
    {
      "product": "eclipse-temurin",
      "repositories": [
        "docker.io/library/eclipse-temurin"
      ],
      "tags": "<major>[.<minor>.<patch>_<build>|u<update>-b<build>][-jdk|-jre][-<os>]"
    },
    {
      "product": "php",
      "repositories": [
        "docker.io/library/php"
      ],
      "tags": "<X.Y>[.<Z>][-fpm|-apache|-cli|-zts][-<os>]"
    },
    {
      "product": "ruby",
      "repositories": [
        "docker.io/library/ruby"
      ],
      "tags": "<X.Y>[.<Z>][-slim][-<os>]"
    },
    {
      "product": "postgres",
      "repositories": [
        "docker.io/library/postgres"
      ],
      "tags": "<major>[.<minor>][-<os>]"
    },
    {
      "product": "nginx",
      "repositories": [
        "docker.io/library/nginx",
        "docker.io/nginxinc/nginx-unprivileged"
      ],
      "tags": "<1.N>[.<patch>][-<os>][-perl|-otel|-slim]; stable, mainline float"
    },
    {
      "product": "debian",
      "repositories": [
        "docker.io/library/debian"
      ],
      "tags": "<N>[.<point>] or <codename>, [-slim], [-<date>]; stable, testing, sid float"
    },
    {
      "product": "ubuntu",
      "repositories": [
        "docker.io/library/ubuntu"
      ],
      "tags": "<YY.MM> or <codename>[-<date>]; latest, rolling, devel float"
    },
    {
      "product": "alpine",
      "repositories": [
        "docker.io/library/alpine"
      ],
      "tags": "<3.N>[.<patch>]; edge and <YYYYMMDD> are rolling"
    },
    {
      "product": "amazonlinux",
      "repositories": [
        "docker.io/library/amazonlinux",
        "public.ecr.aws/amazonlinux/amazonlinux"
      ],
      "tags": "2023[.x], 2[.0.x], 2018.03"
    },
    {
      "product": "centos",
      "repositories": [
        "docker.io/library/centos"
      ],
      "tagPrefixes": [
        "",
        "centos"
      ],
      "tags": "<N>[.<minor>.<build>] or centos<N>"
    },
    {
      "product": "centos-stream",
      "repositories": [
        "quay.io/centos/centos"
      ],
      "tagPrefixes": [
        "stream"
      ],
      "tags": "stream<N>[-minimal]"
    },
    {
      "product": "dotnet",
      "repositoryPattern": "^mcr\\.microsoft\\.com/dotnet/(?:core/)?(?:sdk|aspnet|runtime|runtime-deps)$",
      "tagPrecision": 2,
      "tags": "<N>.0[.<patch>][-<os>][-slim|-chiseled|-extra]"
    },
    {
      "product": "ubi",
      "repositoryPattern": "^(?:registry\\.access\\.redhat\\.com|registry\\.redhat\\.io)/ubi(?<cycle>\\d+)(?:-[a-z]+)?(?:/.*)?$",
      "cycleFrom": "repository",
      "tags": "any; the RHEL major is in the repository name (ubi8/ubi, ubi9-minimal)"
    },
    {
      "product": "ingress-nginx",
      "repositoryPattern": "^(?:registry\\.k8s\\.io|k8s\\.gcr\\.io)/ingress-nginx/",
      "cycleFrom": "fixed",
      "cycle": "all",
      "tags": "any controller version"
    }
  ],
  "dockerHubMirrors": [
    "public.ecr.aws/docker/",
    "mirror.gcr.io/"
  ],
  "osSuffixes": [
    {
      "family": "debian",
      "product": "debian",
      "codenames": true
    },
    {
      "family": "ubuntu",
      "product": "ubuntu",
      "codenames": true
    },
    {
      "family": "alpine",
      "product": "alpine",
      "pattern": "^alpine(?<cycle>\\d+\\.\\d+)$"
    },
    {
      "family": "ubi",
      "product": "ubi",
      "pattern": "^ubi(?<cycle>\\d+)$"
    },
    {
      "family": "amazonlinux",
      "product": "amazonlinux",
      "pattern": "^(?:al|amazonlinux)(?<cycle>2023|2)$"
    },
    {
      "family": "alpine",
      "pattern": "^alpine$"
    },
    {
      "family": "debian",
      "pattern": "^sid$"
    },
    {
      "family": "windows",
      "pattern": "^(?:windowsservercore|nanoserver|ltsc\\d{4})$"
    }
  ]
};
