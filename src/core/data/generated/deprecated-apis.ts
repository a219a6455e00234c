// generated — do not edit. Source: rules/data/deprecated-apis.yaml; regenerate with `node scripts/gen-data.mjs`.
import type { DeprecatedApisData } from "../deprecated-apis.js";

export const DEPRECATED_APIS_DATA: DeprecatedApisData = {
  "snapshotDate": "2026-08-22",
  "source": "rules-catalog.md §4 (kubernetes.io Deprecated API Migration Guide, Pluto v5.24.0 versions.yaml, kube-score stable_version.go)",
  "entries": [
    {
      "apiVersion": "extensions/v1beta1",
      "kinds": [
        "Deployment",
        "DaemonSet",
        "ReplicaSet"
      ],
      "deprecatedIn": "1.9",
      "removedIn": "1.16",
      "replacement": "apps/v1",
      "replacementAvailableIn": "1.9",
      "fix": "transform",
      "notes": "spec.selector becomes required (it was defaulted from the template labels): add matchLabels = template labels. Defaults change (DaemonSet/StatefulSet updateStrategy → RollingUpdate, Deployment revisionHistoryLimit) ⚠︎. Pluto gives no deprecated-in for ReplicaSet."
    },
    {
      "apiVersion": "apps/v1beta1",
      "kinds": [
        "Deployment",
        "StatefulSet",
        "ReplicaSet"
      ],
      "deprecatedIn": "1.9",
      "removedIn": "1.16",
      "replacement": "apps/v1",
      "replacementAvailableIn": "1.9",
      "fix": "transform",
      "notes": "spec.selector becomes required (add matchLabels = template labels); defaults change (StatefulSet updateStrategy → RollingUpdate, Deployment revisionHistoryLimit) ⚠︎."
    },
    {
      "apiVersion": "apps/v1beta2",
      "kinds": [
        "Deployment",
        "DaemonSet",
        "StatefulSet",
        "ReplicaSet"
      ],
      "deprecatedIn": "1.9",
      "removedIn": "1.16",
      "replacement": "apps/v1",
      "replacementAvailableIn": "1.9",
      "fix": "transform",
      "notes": "spec.selector becomes required (add matchLabels = template labels); defaults change (DaemonSet/StatefulSet updateStrategy → RollingUpdate, Deployment revisionHistoryLimit) ⚠︎."
    },
    {
      "apiVersion": "extensions/v1beta1",
      "kinds": [
        "NetworkPolicy"
      ],
      "deprecatedIn": "1.9",
      "removedIn": "1.16",
      "replacement": "networking.k8s.io/v1",
      "replacementAvailableIn": "1.8",
      "fix": "rename"
    },
    {
      "apiVersion": "extensions/v1beta1",
      "kinds": [
        "PodSecurityPolicy"
      ],
      "deprecatedIn": "1.10",
      "removedIn": "1.16",
      "replacement": "policy/v1beta1",
      "replacementAvailableIn": "1.10",
      "fix": "manual",
      "notes": "Moot — PodSecurityPolicy itself was removed in 1.25; migrate to Pod Security Admission labels (K8S-API-002)."
    },
    {
      "apiVersion": "scheduling.k8s.io/v1alpha1",
      "kinds": [
        "PriorityClass"
      ],
      "deprecatedIn": "1.14",
      "removedIn": "1.17",
      "replacement": "scheduling.k8s.io/v1",
      "fix": "rename",
      "notes": "Pluto data."
    },
    {
      "apiVersion": "extensions/v1beta1",
      "kinds": [
        "Ingress"
      ],
      "deprecatedIn": "1.14",
      "removedIn": "1.22",
      "replacement": "networking.k8s.io/v1",
      "replacementAvailableIn": "1.19",
      "fix": "transform",
      "notes": "spec.backend → spec.defaultBackend; serviceName/servicePort → service.name + service.port.number|name; pathType required."
    },
    {
      "apiVersion": "networking.k8s.io/v1beta1",
      "kinds": [
        "Ingress"
      ],
      "deprecatedIn": "1.19",
      "removedIn": "1.22",
      "replacement": "networking.k8s.io/v1",
      "replacementAvailableIn": "1.19",
      "fix": "transform",
      "notes": "spec.backend → spec.defaultBackend; serviceName/servicePort → service.name + service.port.number|name; pathType required."
    },
    {
      "apiVersion": "networking.k8s.io/v1beta1",
      "kinds": [
        "IngressClass"
      ],
      "deprecatedIn": "1.19",
      "removedIn": "1.22",
      "replacement": "networking.k8s.io/v1",
      "replacementAvailableIn": "1.19",
      "fix": "rename"
    },
    {
      "apiVersion": "apiextensions.k8s.io/v1beta1",
      "kinds": [
        "CustomResourceDefinition"
      ],
      "deprecatedIn": "1.16",
      "removedIn": "1.22",
      "replacement": "apiextensions.k8s.io/v1",
      "replacementAvailableIn": "1.16",
      "fix": "manual",
      "notes": "Structural schema required (versions[*].schema); preserveUnknownFields defaults to false."
    },
    {
      "apiVersion": "admissionregistration.k8s.io/v1beta1",
      "kinds": [
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration"
      ],
      "deprecatedIn": "1.16",
      "removedIn": "1.22",
      "replacement": "admissionregistration.k8s.io/v1",
      "replacementAvailableIn": "1.16",
      "fix": "manual",
      "notes": "sideEffects and admissionReviewVersions are required; defaults change (failurePolicy Ignore → Fail, matchPolicy Exact → Equivalent, timeoutSeconds 30 → 10)."
    },
    {
      "apiVersion": "rbac.authorization.k8s.io/v1beta1",
      "kinds": [
        "ClusterRole",
        "ClusterRoleBinding",
        "Role",
        "RoleBinding"
      ],
      "deprecatedIn": "1.17",
      "removedIn": "1.22",
      "replacement": "rbac.authorization.k8s.io/v1",
      "replacementAvailableIn": "1.8",
      "fix": "rename"
    },
    {
      "apiVersion": "rbac.authorization.k8s.io/v1alpha1",
      "kinds": [
        "ClusterRole",
        "ClusterRoleBinding",
        "Role",
        "RoleBinding"
      ],
      "deprecatedIn": "1.17",
      "removedIn": "1.22",
      "replacement": "rbac.authorization.k8s.io/v1",
      "replacementAvailableIn": "1.8",
      "fix": "rename"
    },
    {
      "apiVersion": "scheduling.k8s.io/v1beta1",
      "kinds": [
        "PriorityClass"
      ],
      "deprecatedIn": "1.14",
      "removedIn": "1.22",
      "replacement": "scheduling.k8s.io/v1",
      "replacementAvailableIn": "1.14",
      "fix": "rename"
    },
    {
      "apiVersion": "storage.k8s.io/v1beta1",
      "kinds": [
        "StorageClass"
      ],
      "deprecatedIn": "1.6",
      "removedIn": "1.22",
      "replacement": "storage.k8s.io/v1",
      "replacementAvailableIn": "1.6",
      "fix": "rename"
    },
    {
      "apiVersion": "storage.k8s.io/v1beta1",
      "kinds": [
        "VolumeAttachment"
      ],
      "deprecatedIn": "1.13",
      "removedIn": "1.22",
      "replacement": "storage.k8s.io/v1",
      "replacementAvailableIn": "1.13",
      "fix": "rename"
    },
    {
      "apiVersion": "storage.k8s.io/v1beta1",
      "kinds": [
        "CSINode"
      ],
      "deprecatedIn": "1.17",
      "removedIn": "1.22",
      "replacement": "storage.k8s.io/v1",
      "replacementAvailableIn": "1.17",
      "fix": "rename"
    },
    {
      "apiVersion": "storage.k8s.io/v1beta1",
      "kinds": [
        "CSIDriver"
      ],
      "deprecatedIn": "1.19",
      "removedIn": "1.22",
      "replacement": "storage.k8s.io/v1",
      "replacementAvailableIn": "1.19",
      "fix": "rename"
    },
    {
      "apiVersion": "apiregistration.k8s.io/v1beta1",
      "kinds": [
        "APIService"
      ],
      "deprecatedIn": "1.10",
      "removedIn": "1.22",
      "replacement": "apiregistration.k8s.io/v1",
      "replacementAvailableIn": "1.10",
      "fix": "rename"
    },
    {
      "apiVersion": "authentication.k8s.io/v1beta1",
      "kinds": [
        "TokenReview"
      ],
      "deprecatedIn": "1.6",
      "removedIn": "1.22",
      "replacement": "authentication.k8s.io/v1",
      "replacementAvailableIn": "1.6",
      "fix": "rename",
      "notes": "Rarely in manifests."
    },
    {
      "apiVersion": "authorization.k8s.io/v1beta1",
      "kinds": [
        "SubjectAccessReview",
        "LocalSubjectAccessReview",
        "SelfSubjectAccessReview"
      ],
      "removedIn": "1.22",
      "replacement": "authorization.k8s.io/v1",
      "replacementAvailableIn": "1.6",
      "fix": "rename",
      "notes": "Rarely in manifests."
    },
    {
      "apiVersion": "certificates.k8s.io/v1beta1",
      "kinds": [
        "CertificateSigningRequest"
      ],
      "deprecatedIn": "1.19",
      "removedIn": "1.22",
      "replacement": "certificates.k8s.io/v1",
      "replacementAvailableIn": "1.19",
      "fix": "manual",
      "notes": "signerName and usages are required."
    },
    {
      "apiVersion": "coordination.k8s.io/v1beta1",
      "kinds": [
        "Lease"
      ],
      "deprecatedIn": "1.14",
      "removedIn": "1.22",
      "replacement": "coordination.k8s.io/v1",
      "replacementAvailableIn": "1.14",
      "fix": "rename"
    },
    {
      "apiVersion": "audit.k8s.io/v1alpha1",
      "kinds": [
        "Policy"
      ],
      "removedIn": "1.24",
      "replacement": "audit.k8s.io/v1",
      "fix": "rename",
      "notes": "Audit policy file (control-plane config), not a cluster object. Pluto data."
    },
    {
      "apiVersion": "audit.k8s.io/v1beta1",
      "kinds": [
        "Policy"
      ],
      "removedIn": "1.24",
      "replacement": "audit.k8s.io/v1",
      "fix": "rename",
      "notes": "Audit policy file (control-plane config), not a cluster object. Pluto data."
    },
    {
      "apiVersion": "batch/v1beta1",
      "kinds": [
        "CronJob"
      ],
      "deprecatedIn": "1.21",
      "removedIn": "1.25",
      "replacement": "batch/v1",
      "replacementAvailableIn": "1.21",
      "fix": "rename"
    },
    {
      "apiVersion": "discovery.k8s.io/v1beta1",
      "kinds": [
        "EndpointSlice"
      ],
      "deprecatedIn": "1.21",
      "removedIn": "1.25",
      "replacement": "discovery.k8s.io/v1",
      "replacementAvailableIn": "1.21",
      "fix": "transform",
      "notes": "topology → deprecatedTopology / zone / nodeName."
    },
    {
      "apiVersion": "events.k8s.io/v1beta1",
      "kinds": [
        "Event"
      ],
      "deprecatedIn": "1.19",
      "removedIn": "1.25",
      "replacement": "events.k8s.io/v1",
      "replacementAvailableIn": "1.19",
      "fix": "transform",
      "notes": "Rarely in manifests."
    },
    {
      "apiVersion": "autoscaling/v2beta1",
      "kinds": [
        "HorizontalPodAutoscaler"
      ],
      "deprecatedIn": "1.22",
      "removedIn": "1.25",
      "replacement": "autoscaling/v2",
      "replacementAvailableIn": "1.23",
      "fix": "transform",
      "notes": "targetAverageUtilization → target {type Utilization, averageUtilization}, and similar metric rewrites."
    },
    {
      "apiVersion": "policy/v1beta1",
      "kinds": [
        "PodDisruptionBudget"
      ],
      "deprecatedIn": "1.21",
      "removedIn": "1.25",
      "replacement": "policy/v1",
      "replacementAvailableIn": "1.21",
      "fix": "rename",
      "manualIf": "spec.selector is empty ({}) — in policy/v1 it selects ALL pods in the namespace (it selected none in v1beta1)."
    },
    {
      "apiVersion": "policy/v1beta1",
      "kinds": [
        "PodSecurityPolicy"
      ],
      "deprecatedIn": "1.21",
      "removedIn": "1.25",
      "replacement": null,
      "fix": "manual",
      "notes": "No replacement; migrate to Pod Security Admission namespace labels (K8S-API-002, K8S-GEN-004)."
    },
    {
      "apiVersion": "node.k8s.io/v1beta1",
      "kinds": [
        "RuntimeClass"
      ],
      "deprecatedIn": "1.22",
      "removedIn": "1.25",
      "replacement": "node.k8s.io/v1",
      "replacementAvailableIn": "1.20",
      "fix": "rename"
    },
    {
      "apiVersion": "autoscaling/v2beta2",
      "kinds": [
        "HorizontalPodAutoscaler"
      ],
      "deprecatedIn": "1.23",
      "removedIn": "1.26",
      "replacement": "autoscaling/v2",
      "replacementAvailableIn": "1.23",
      "fix": "rename"
    },
    {
      "apiVersion": "flowcontrol.apiserver.k8s.io/v1beta1",
      "kinds": [
        "FlowSchema",
        "PriorityLevelConfiguration"
      ],
      "deprecatedIn": "1.23",
      "removedIn": "1.26",
      "replacement": "flowcontrol.apiserver.k8s.io/v1beta2",
      "fix": "rename",
      "notes": "The catalog names v1beta2/v1beta3; only v1beta2 is a pure rename (v1beta3 renamed assuredConcurrencyShares), so v1beta3 and v1 are reached through the v1beta2 entry. Pluto lists the kind as \"FlowControl\" (data bug)."
    },
    {
      "apiVersion": "storage.k8s.io/v1beta1",
      "kinds": [
        "CSIStorageCapacity"
      ],
      "deprecatedIn": "1.24",
      "removedIn": "1.27",
      "replacement": "storage.k8s.io/v1",
      "replacementAvailableIn": "1.24",
      "fix": "rename"
    },
    {
      "apiVersion": "flowcontrol.apiserver.k8s.io/v1beta2",
      "kinds": [
        "FlowSchema",
        "PriorityLevelConfiguration"
      ],
      "removedIn": "1.29",
      "replacement": "flowcontrol.apiserver.k8s.io/v1",
      "replacementAvailableIn": "1.29",
      "alternatives": [
        {
          "apiVersion": "flowcontrol.apiserver.k8s.io/v1beta3",
          "availableIn": "1.26"
        }
      ],
      "fix": "transform",
      "notes": "assuredConcurrencyShares → nominalConcurrencyShares. (Pluto's deprecated-in 1.24 for this row is not used; its removed-in for v1beta1 disagrees with the catalog.)"
    },
    {
      "apiVersion": "flowcontrol.apiserver.k8s.io/v1beta3",
      "kinds": [
        "FlowSchema",
        "PriorityLevelConfiguration"
      ],
      "removedIn": "1.32",
      "replacement": "flowcontrol.apiserver.k8s.io/v1",
      "replacementAvailableIn": "1.29",
      "fix": "rename",
      "notes": "An explicit nominalConcurrencyShares of 0 is no longer defaulted to 30."
    },
    {
      "apiVersion": "admissionregistration.k8s.io/v1alpha1",
      "kinds": [
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding"
      ],
      "removedIn": "1.33",
      "replacement": "admissionregistration.k8s.io/v1",
      "replacementAvailableIn": "1.30",
      "fix": "manual",
      "notes": "Alpha API; the catalog says rename/manual — review the policy against the v1 schema before renaming. Pluto data."
    },
    {
      "apiVersion": "resource.k8s.io/v1alpha3",
      "kinds": [
        "ResourceClaim",
        "ResourceClaimTemplate",
        "ResourceSlice",
        "DeviceClass"
      ],
      "removedIn": "1.34",
      "replacement": "resource.k8s.io/v1",
      "replacementAvailableIn": "1.34",
      "fix": "manual",
      "verified": false,
      "notes": "Dynamic Resource Allocation. Pluto data only; verify against the Kubernetes release notes."
    },
    {
      "apiVersion": "resource.k8s.io/v1beta1",
      "kinds": [
        "ResourceClaim",
        "ResourceClaimTemplate",
        "ResourceSlice",
        "DeviceClass"
      ],
      "removedIn": "1.36",
      "replacement": "resource.k8s.io/v1",
      "replacementAvailableIn": "1.34",
      "alternatives": [
        {
          "apiVersion": "resource.k8s.io/v1beta2",
          "availableIn": "1.33"
        }
      ],
      "fix": "manual",
      "verified": false,
      "notes": "Dynamic Resource Allocation; removal listed for 1.36. Pluto data only; verify against the Kubernetes release notes."
    }
  ]
};
