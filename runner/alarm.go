package runner

// A raised alarm stops the course as a lost leader does: a full database
// (NOSPACE) refuses every write until someone frees space and disarms it,
// and a corrupt member (CORRUPT) until someone replaces it. The lessons
// after the first refusal would each fail on their own line, after their
// own wait.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/codes"

	"etcdtour/runner/i18n"
)

// refused reports whether err is etcd refusing a request because of a raised
// alarm: the database is full (ResourceExhausted, "database space
// exceeded") or the cluster corrupt (DataLoss). It is the cluster's answer
// until someone acts, not a request that got none.
func refused(err error) bool {
	if err == nil {
		return false
	}
	switch grpcCode(err) {
	case codes.ResourceExhausted:
		return strings.Contains(err.Error(), "database space exceeded")
	case codes.DataLoss:
		return true
	}
	return false
}

// alarms returns the alarms raised on the cluster, asked within ctx
// through whichever member answers; none if none answered.
func (m *members) alarms(ctx context.Context) []*pb.AlarmMember {
	var out []*pb.AlarmMember
	m.do(ctx, func(ctx context.Context, cli *clientv3.Client) error {
		resp, err := cli.AlarmList(ctx)
		if err == nil {
			out = resp.Alarms
		}
		return err
	})
	return out
}

// alarmLine says, in one line, which alarms are raised on which members,
// what they mean and how to clear them; "" if none is.
func alarmLine(lang i18n.Lang, alarms []*pb.AlarmMember) string {
	var nospace, corrupt []string
	for _, a := range alarms {
		id := fmt.Sprintf("%x", a.MemberID)
		switch a.Alarm {
		case pb.AlarmType_NOSPACE:
			nospace = append(nospace, id)
		case pb.AlarmType_CORRUPT:
			corrupt = append(corrupt, id)
		}
	}
	slices.Sort(nospace)
	slices.Sort(corrupt)
	var parts []string
	if len(nospace) > 0 {
		parts = append(parts, lang.Msg("etcd raised the NOSPACE alarm (member %s): its database reached its quota (--quota-backend-bytes), and the cluster refuses every write until the alarm is disarmed. Free space and disarm it: etcdctl alarm list; etcdctl compact REVISION; etcdctl defrag; etcdctl alarm disarm",
			strings.Join(nospace, ", ")))
	}
	if len(corrupt) > 0 {
		parts = append(parts, lang.Msg("etcd raised the CORRUPT alarm (member %s): that member's data differs from the others', and the cluster refuses every write until the alarm is disarmed. Replace the member and disarm it: etcdctl alarm list; etcdctl member remove ID; etcdctl member add NAME --peer-urls=URL (start it with empty data); etcdctl alarm disarm",
			strings.Join(corrupt, ", ")))
	}
	return strings.Join(parts, " ")
}
